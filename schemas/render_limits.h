#pragma once
// What render params a worker's renderer accepts (schemas/README.md
// section 4, READY.limits): its model family and the ranges of steps,
// guidance, image size and sampler. A worker advertises them in READY, the
// broker lists them per service and identity in STATUS, and a client checks
// its params against them before it submits anything, so that a run whose
// params the model refuses (SDXL-Turbo at 50 steps) stops before its first
// render with the reason, instead of after its tasks fail. The renderer
// applies the same rule to every task (render_param_problems below), so
// the two can never disagree. Header-only and free of msgpack, because the
// models-only build (scripts/gpu-check) compiles the renderer without it;
// the wire form is in messages.cpp.
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "schemas/render_task.h"

namespace bigpe::schemas {

struct RenderLimits {
  std::string family;  // "sd1", "sdxl-turbo", ...; empty: no limits advertised
  int min_steps = 0;   // 0: no bound
  int max_steps = 0;   // 0: no bound
  double max_guidance = -1;  // negative: no bound
  int size_multiple = 1;     // width and height must be positive multiples of it
  std::vector<std::string> samplers;  // empty: any

  bool empty() const { return family.empty(); }
  bool operator==(const RenderLimits& o) const {
    return family == o.family && min_steps == o.min_steps && max_steps == o.max_steps &&
           max_guidance == o.max_guidance && size_multiple == o.size_multiple && samplers == o.samplers;
  }
};

// One param a renderer with `limits` refuses: `field` is the RenderParams
// field ("steps", "guidance", "width", "height", "sampler").
struct RenderParamProblem {
  std::string field;
  std::string message;
};

namespace render_limits_detail {
inline std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

inline std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace render_limits_detail

// Every param outside `limits`, in field order; none when limits are empty.
inline std::vector<RenderParamProblem> render_param_problems(const RenderParams& p, const RenderLimits& l) {
  std::vector<RenderParamProblem> out;
  if (l.empty()) return out;
  const std::string who = l.family + " renders";
  if ((l.min_steps > 0 && p.steps < l.min_steps) || (l.max_steps > 0 && p.steps > l.max_steps))
    out.push_back({"steps", who + " in " + std::to_string(std::max(l.min_steps, 0)) + " to " +
                                (l.max_steps > 0 ? std::to_string(l.max_steps) : std::string("any number of")) +
                                " steps, got " + std::to_string(p.steps)});
  if (l.max_guidance >= 0 && p.guidance > l.max_guidance)
    out.push_back({"guidance", who + " with guidance at most " + render_limits_detail::number(l.max_guidance) +
                                   (l.max_guidance <= 1 ? " (it is distilled to run without guidance)" : "") +
                                   ", got " + render_limits_detail::number(p.guidance)});
  const int f = std::max(l.size_multiple, 1);
  for (const auto& [field, v] : {std::pair<const char*, int>{"width", p.width}, {"height", p.height}})
    if (v < f || v % f != 0)
      out.push_back({field, who + " images whose " + field + " is a positive multiple of " + std::to_string(f) +
                                ", got " + std::to_string(v)});
  if (!l.samplers.empty() && std::find(l.samplers.begin(), l.samplers.end(), p.sampler) == l.samplers.end())
    out.push_back({"sampler", who + " with the samplers " + render_limits_detail::joined(l.samplers) + ", got '" + p.sampler + "'"});
  return out;
}


}  // namespace bigpe::schemas
