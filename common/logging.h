#pragma once
// Process-wide logging set-up (spdlog). Logs go to stderr so that stdout
// stays for results and progress lines.
#include <string>

namespace bigpe {

// level: trace, debug, info, warn, error, off. Unknown names throw.
void init_logging(const std::string& level);

}  // namespace bigpe
