#include "scheduler/experiment/local_devices.h"

#include <cctype>

namespace bigpe::engine {
namespace {

std::vector<std::string> split(const std::string& spec) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : spec + ",") {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      cur += c;
    }
  }
  return out;
}

bool is_device(const std::string& d) {
  if (d == "cpu" || d == "cuda") return true;
  if (d.rfind("cuda:", 0) != 0 || d.size() == 5 || d.size() > 8) return false;
  for (std::size_t i = 5; i < d.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
  return true;
}

}  // namespace

std::string local_devices_problem(const std::string& spec) {
  if (spec == "auto") return "";
  for (const std::string& d : split(spec))
    if (!is_device(d))
      return "expected auto, or a comma-separated list of cpu, cuda and cuda:N; '" + d + "' is none of them";
  return "";
}

std::vector<std::string> local_devices(const std::string& spec, int cuda_devices) {
  if (spec != "auto") return split(spec);
  if (cuda_devices <= 0) return {"cpu"};
  std::vector<std::string> out;
  for (int i = 0; i < cuda_devices; ++i) out.push_back("cuda:" + std::to_string(i));
  return out;
}

}  // namespace bigpe::engine
