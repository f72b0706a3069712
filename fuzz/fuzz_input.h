#pragma once
// Shared by the fuzz targets: the libFuzzer entry point's signature, and
// Abort(), which turns a broken contract (an exception type a function does
// not document, a round trip that does not hold) into a crash that
// libFuzzer reports and saves.
//
// Thread-safety: each target is single-threaded, as libFuzzer runs it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace bigpe::fuzz {

[[noreturn]] inline void contract_broken(const std::string& what) {
  std::fprintf(stderr, "fuzz: contract broken: %s\n", what.c_str());
  std::abort();
}

}  // namespace bigpe::fuzz
