#pragma once
// The third render count beside "N done, C cached", shown only when there
// is one: items a worker only scored, their images stored and the scorers
// new to them (schemas/README.md section 6). So a run that scored nothing
// that way reads exactly as before.
#include <string>

namespace bigpe::engine {

// `sep` + "S scored only" when scored > 0, else "".
std::string scored_only_text(long scored, const std::string& sep = ", ");

}  // namespace bigpe::engine
