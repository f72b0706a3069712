#include "scheduler/report/run_diff.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>

#include "common/file_io.h"
#include "common/json_strict.h"
#include "scheduler/report/text_table.h"
#include "scheduler/store/campaign_folder.h"
#include "scheduler/store/run_folder.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

using nlohmann::ordered_json;

// run.json of `dir`, or a refusal that says what `dir` is instead.
RunFile read_run(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw std::runtime_error(dir + ": no such folder");
  if (has_campaign_file(dir))
    throw std::runtime_error(dir + " is a campaign folder; diff compares two run folders, such as " + dir +
                             "/experiments/<variant>.r<k>");
  if (!fs::is_directory(dir, ec) || !has_run_file(dir))
    throw std::runtime_error(dir + ": not a run folder (no run.json; `bigpe ls` lists the run folders)");
  return read_run_file(dir);
}

std::optional<ordered_json> read_report(const std::string& dir) {
  const std::string path = dir + "/report.json";
  std::optional<std::string> text = try_read_file(path);
  if (!text) return std::nullopt;
  try {
    return json::parse_strict(*text);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::string number(double v, int digits, bool sign = false) {
  char buf[64];
  std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", digits, v);
  return buf;
}

// A leaf of the report as text: integers whole, other numbers with 3
// decimals (cost with 4); "-" when absent.
std::string leaf(const ordered_json* v) {
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  if (v->is_number()) return number(v->get<double>(), 4);
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

const ordered_json* find(const std::optional<ordered_json>& report, const std::string& group, const std::string& key) {
  if (!report || !report->contains(group)) return nullptr;
  const ordered_json& g = report->at(group);
  if (key.empty()) return &g;
  if (!g.is_object() || !g.contains(key)) return nullptr;
  return &g.at(key);
}

std::string delta(const ordered_json* a, const ordered_json* b, int digits) {
  if (a == nullptr || b == nullptr || !a->is_number() || !b->is_number()) return "";
  if (a->is_number_integer() && b->is_number_integer())
    return number(static_cast<double>(b->get<int64_t>() - a->get<int64_t>()), 0, true);
  return number(b->get<double>() - a->get<double>(), digits, true);
}

// "mean [low, high]" of a held-out table row, or "-".
std::string interval(const ordered_json* m, bool sign) {
  if (m == nullptr || !m->is_object() || !m->contains("mean")) return "-";
  auto f = [&](const char* k) { return number(m->at(k).get<double>(), 3, sign); };
  return f("mean") + " [" + f("ci_low") + ", " + f("ci_high") + "]";
}

// Continuation lines of a multi-line text under its first.
std::string indented(const std::string& text, std::size_t by) {
  std::string out;
  for (char c : text) out += c == '\n' ? "\n" + std::string(by, ' ') : std::string(1, c);
  return out;
}

void config_section(const RunFile& a, const RunFile& b, std::ostream& out) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a.values) keys.insert(k);
  for (const auto& [k, v] : b.values) keys.insert(k);
  TextTable t({"key", "left", "right"});
  int differ = 0;
  for (const std::string& k : keys) {
    auto ia = a.values.find(k), ib = b.values.find(k);
    const std::string va = ia == a.values.end() ? "(absent)" : ia->second;
    const std::string vb = ib == b.values.end() ? "(absent)" : ib->second;
    if (va == vb) continue;
    ++differ;
    t.row({k, va.empty() ? "''" : va, vb.empty() ? "''" : vb});
  }
  out << "config: " << differ << " of " << keys.size() << " keys differ\n";
  if (differ > 0) out << t.text();
}

void results_section(const std::optional<ordered_json>& a, const std::optional<ordered_json>& b, std::ostream& out) {
  TextTable t({"result", "left", "right", "right - left"});
  auto scalar_row = [&](const std::string& label, const ordered_json* va, const ordered_json* vb) {
    t.row({label, leaf(va), leaf(vb), delta(va, vb, 4)});
  };
  scalar_row("iterations", find(a, "iterations", ""), find(b, "iterations", ""));
  // Every counter of the renders and llm groups, in the order the reports
  // write them (a field only one side has still shows).
  for (const char* group : {"renders", "llm"}) {
    std::vector<std::string> fields;
    for (const auto* r : {&a, &b})
      if (const ordered_json* g = find(*r, group, ""); g != nullptr && g->is_object())
        for (const auto& [k, v] : g->items())
          if (std::find(fields.begin(), fields.end(), k) == fields.end()) fields.push_back(k);
    for (const std::string& f : fields)
      scalar_row(std::string(group) + "." + f, find(a, group, f), find(b, group, f));
  }
  std::vector<std::string> methods;
  for (const auto* r : {&a, &b})
    if (const ordered_json* e = find(*r, "eval", ""); e != nullptr && e->is_object())
      for (const auto& [k, v] : e->items())
        if (std::find(methods.begin(), methods.end(), k) == methods.end()) methods.push_back(k);
  for (const std::string& m : methods) {
    const ordered_json* ma = find(a, "eval", m);
    const ordered_json* mb = find(b, "eval", m);
    const bool gain = m.rfind("gain_", 0) == 0;
    const ordered_json* mean_a = ma != nullptr && ma->contains("mean") ? &ma->at("mean") : nullptr;
    const ordered_json* mean_b = mb != nullptr && mb->contains("mean") ? &mb->at("mean") : nullptr;
    t.row({"eval." + m, interval(ma, gain), interval(mb, gain), delta(mean_a, mean_b, 3)});
  }
  out << "\nresults (report.json; held-out rows: mean [95% interval]):\n" << t.text();
  auto final_of = [](const std::optional<ordered_json>& r) {
    return r && r->contains("final_instruction") ? r->at("final_instruction").get<std::string>()
                                                 : std::string("- (no report yet)");
  };
  const std::string fa = final_of(a), fb = final_of(b);
  if (fa == fb) {
    out << "\nfinal instruction: the same\n  " << indented(fa, 2) << "\n";
  } else {
    out << "\nfinal instruction:\n  left:  " << indented(fa, 9) << "\n  right: " << indented(fb, 9) << "\n";
  }
}

}  // namespace

int run_diff(const std::string& left, const std::string& right, std::ostream& out) {
  try {
    const RunFile a = read_run(left);
    const RunFile b = read_run(right);
    const std::optional<ordered_json> ra = read_report(left);
    const std::optional<ordered_json> rb = read_report(right);
    out << "left:  " << left << " (" << a.experiment_id << ")\n"
        << "right: " << right << " (" << b.experiment_id << ")\n\n";
    config_section(a, b, out);
    if (!ra && !rb) {
      out << "\nresults: neither run has a report.json yet (not finished; `bigpe ls` shows their status)\n";
      return 0;
    }
    results_section(ra, rb, out);
    if (!ra || !rb)
      out << "\nthe " << (!ra ? "left" : "right")
          << " run has no report.json yet (not finished; `bigpe ls` shows its status)\n";
    return 0;
  } catch (const std::exception& e) {
    out << "bigpe diff: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace bigpe::engine
