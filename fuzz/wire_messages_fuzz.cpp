// Fuzz target: decoding every body that crosses a socket (schemas/README.md
// sections 3-7). The first byte picks the message; the rest is the body.
// Contract: a decoder either returns a value or throws DecodeError (never
// anything else, never a crash), and whatever it returns encodes and
// decodes again to the same wire bytes.
#include "fuzz/fuzz_input.h"
#include "schemas/decode_error.h"
#include "schemas/messages.h"
#include "schemas/render_task.h"

namespace {

using namespace bigpe::schemas;

std::vector<Task>& good_list(TaskBatch& b) { return b.tasks; }
std::vector<Result>& good_list(ResultBatch& b) { return b.results; }

template <typename Decode>
void check(const std::string& body, const char* name, Decode decode) {
  decltype(decode(body)) value;
  try {
    value = decode(body);
  } catch (const DecodeError&) {
    return;
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string(name) + ": threw a non-DecodeError: " + e.what());
  }
  const std::string again = encode(value);
  if (encode(decode(again)) != again) bigpe::fuzz::contract_broken(std::string(name) + ": round trip differs");
}

// TASKS and RESULTS decode element by element: the good elements, packed
// again, must decode again to the same bytes, with no element lost.
template <typename Batch, typename Decode>
void check_batch(const std::string& body, const char* name, Decode decode) {
  Batch good;
  try {
    for (auto& e : decode(body)) {
      if (e.value && !e.error.empty()) bigpe::fuzz::contract_broken(std::string(name) + ": value and error both set");
      if (e.value) good_list(good).push_back(*e.value);
    }
  } catch (const DecodeError&) {
    return;
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string(name) + ": threw a non-DecodeError: " + e.what());
  }
  const std::string again = encode(good);
  Batch back;
  for (auto& e : decode(again)) {
    if (!e.value) bigpe::fuzz::contract_broken(std::string(name) + ": a re-encoded element did not decode");
    good_list(back).push_back(*e.value);
  }
  if (encode(back) != again) bigpe::fuzz::contract_broken(std::string(name) + ": round trip differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 15) {
    case 0: check(body, "READY", decode_ready); break;
    case 1: check(body, "SUBMIT", decode_submit); break;
    case 2: check(body, "ACCEPTED", decode_accepted); break;
    case 3: check(body, "TASK", decode_task); break;
    case 4: check(body, "RESULT", decode_result); break;
    case 5: check(body, "FAILED", decode_failed); break;
    case 6:
      check(body, "CANCEL", decode_cancel);
      check(body, "CANCEL to a worker", decode_cancel_task);
      break;
    case 7: check(body, "STATUS reply", decode_status_reply); break;
    case 8: check(body, "HEARTBEAT", decode_heartbeat); break;
    case 9: check(body, "DISCONNECT", decode_disconnect); break;
    case 10: check(body, "RenderTask", decode_render_task); break;
    case 11: check(body, "RenderResult", decode_render_result); break;
    case 12:
      check(body, "ResultRecord", decode_result_record);
      check(body, "ImageRecord", decode_image_record);
      try {
        decode_empty(body, "STATUS");
      } catch (const DecodeError&) {
      }
      break;
    case 13: check_batch<TaskBatch>(body, "TASKS", decode_task_batch); break;
    case 14: check_batch<ResultBatch>(body, "RESULTS", decode_result_batch); break;
  }
  return 0;
}
