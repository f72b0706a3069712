// Fuzz target: the experiment config loader (YAML text validated against
// the experiment schema). Contract: a Config or a ConfigError, whose
// message names the origin; nothing else escapes.
#include "common/config.h"
#include "fuzz/fuzz_input.h"
#include "scheduler/experiment/experiment_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    bigpe::Config c = bigpe::Config::parse(text, "fuzz.yaml", bigpe::engine::experiment_schema());
    (void)bigpe::engine::settings_from(c);
    (void)c.canonical();
  } catch (const bigpe::ConfigError& e) {
    if (std::string(e.what()).find("fuzz.yaml") == std::string::npos &&
        std::string(e.what()).find("key '") == std::string::npos)
      bigpe::fuzz::contract_broken(std::string("ConfigError names neither file nor key: ") + e.what());
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string("config loader threw a non-ConfigError: ") + e.what());
  }
  return 0;
}
