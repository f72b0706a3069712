#include <stdexcept>

#include "scheduler/engine/budget_loop.h"
#include "scheduler/engine/optimization_loop.h"
#include "scheduler/engine/paper_loop.h"

namespace bigpe::engine {

std::unique_ptr<OptimizationLoop> make_loop(EngineContext& ctx) {
  if (ctx.settings.loop == "paper") return std::make_unique<PaperLoop>(ctx);
  if (ctx.settings.loop == "budget") return std::make_unique<BudgetLoop>(ctx);
  throw std::invalid_argument("loop: unknown loop '" + ctx.settings.loop + "'");
}

}  // namespace bigpe::engine
