// Fuzz target: the professional prompt database loader (JSON lines,
// ProfessionalDb::load_jsonl). The input is written to a file, as the
// loader reads files. Contract: a database or a std::runtime_error naming
// the file (and line); nothing else escapes.
#include <unistd.h>

#include <fstream>

#include "fuzz/fuzz_input.h"
#include "scheduler/prodb/professional_db.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/bigpe-fuzz-jsonl-" + std::to_string(::getpid()) + ".jsonl";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    bigpe::ProfessionalDb db = bigpe::ProfessionalDb::load_jsonl(path);
    (void)db;
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find(path) == std::string::npos)
      bigpe::fuzz::contract_broken(std::string("load_jsonl error does not name the file: ") + e.what());
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string("load_jsonl threw a non-runtime_error: ") + e.what());
  }
  return 0;
}
