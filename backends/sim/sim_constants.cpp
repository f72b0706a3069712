#include "backends/sim/sim_constants.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace bigpe {
namespace {

std::string describe(const std::string& key, const std::string& value) {
  return "option " + key + " = \"" + value + "\"";
}

}  // namespace

double parse_sim_option_number(const std::string& key, const std::string& value) {
  const char* begin = value.c_str();
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(begin, &end);
  if (value.empty() || end != begin + value.size() || errno == ERANGE || !std::isfinite(d))
    throw std::invalid_argument(describe(key, value) + ": not a finite number");
  return d;
}

namespace {

// One table of names, so every constant is overridable and checked alike
// (MAXW, the one integer, is handled on its own).
struct Field {
  const char* name;
  double* target;
  double min, max;
};
std::array<Field, 13> double_fields(SimConstants& c) {
  const double inf = HUGE_VAL;
  return {{
      {"B0", &c.B0, -inf, inf},      {"D_FID", &c.D_FID, -inf, inf}, {"LAM", &c.LAM, -inf, inf},
      {"QSD", &c.QSD, 0, inf},       {"MU", &c.MU, -inf, inf},       {"RHO", &c.RHO, 0, 1},
      {"S_POS", &c.S_POS, -inf, inf}, {"R", &c.R, -inf, inf},        {"S_NEG", &c.S_NEG, -inf, inf},
      {"BETA", &c.BETA, -inf, inf},  {"E0", &c.E0, 0, inf},          {"SD", &c.SD, 0, inf},
      {"KAPPA", &c.KAPPA, 0, 1},
  }};
}

}  // namespace

std::vector<std::string> SimConstants::option_names() {
  SimConstants c;
  std::vector<std::string> out;
  for (const Field& f : double_fields(c)) out.push_back(std::string("sim.") + f.name);
  out.push_back("sim.MAXW");
  return out;
}

SimConstants SimConstants::from_options(const std::map<std::string, std::string>& options) {
  SimConstants c;
  if (options.empty()) return c;  // the common case, once per scored task
  for (const Field& f : double_fields(c)) {
    const std::string key = std::string("sim.") + f.name;
    auto it = options.find(key);
    if (it == options.end()) continue;
    const double d = parse_sim_option_number(key, it->second);
    if (d < f.min || d > f.max)
      throw std::invalid_argument(describe(key, it->second) +
                                  (f.max == 1 ? ": must be in [0, 1]" : ": must be >= 0"));
    *f.target = d;
  }
  if (auto it = options.find("sim.MAXW"); it != options.end()) {
    const double d = parse_sim_option_number(it->first, it->second);
    if (d != std::floor(d) || d < 1 || d > 1e6)
      throw std::invalid_argument(describe(it->first, it->second) +
                                  ": must be an integer in [1, 1000000]");
    c.MAXW = static_cast<int>(d);
  }
  return c;
}

bool SimConstants::operator==(const SimConstants& o) const {
  return B0 == o.B0 && D_FID == o.D_FID && LAM == o.LAM && QSD == o.QSD && MU == o.MU &&
         RHO == o.RHO && S_POS == o.S_POS && R == o.R && S_NEG == o.S_NEG && BETA == o.BETA &&
         E0 == o.E0 && MAXW == o.MAXW && SD == o.SD && KAPPA == o.KAPPA;
}

}  // namespace bigpe
