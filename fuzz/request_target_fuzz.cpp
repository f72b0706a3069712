// Fuzz target: the request target parser of `bigpe serve`
// (scheduler/serve/request_target.h), fed the raw bytes a client may put in
// a request line. Contract: a RequestTarget or a BadRequest, nothing else;
// what it returns holds no control byte, no "." or ".." segment and no "/"
// inside a segment, and never more segments or parameters than the limits.
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "scheduler/serve/request_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bigpe::serve;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  try {
    const RequestTarget t = parse_request_target(raw);
    if (raw.size() > kMaxTargetBytes) bigpe::fuzz::contract_broken("a target over the length limit was accepted");
    if (t.segments.size() > kMaxSegments || t.query.size() > kMaxQueryParams)
      bigpe::fuzz::contract_broken("more segments or parameters than the limits");
    auto clean = [](const std::string& s) {
      for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
      return true;
    };
    for (const std::string& s : t.segments) {
      if (s.empty() || s == "." || s == ".." || s.find('/') != std::string::npos ||
          s.find('\\') != std::string::npos || !clean(s))
        bigpe::fuzz::contract_broken("a hostile segment was accepted: " + s);
    }
    for (const auto& [k, v] : t.query)
      if (k.empty() || !clean(k) || !clean(v)) bigpe::fuzz::contract_broken("a hostile query parameter was accepted");
  } catch (const BadRequest&) {
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string("parse_request_target threw a non-BadRequest: ") + e.what());
  }
  return 0;
}
