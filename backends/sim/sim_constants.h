#pragma once
// SimConstants: the named constants of the sim-v1 score formula
// (docs/sim-v1.md section 1), with the reference's values as defaults.
// An experiment may override any of them through backend options
// "sim.<NAME>" (e.g. "sim.SD" = "0.35"); such runs are ablations, no longer
// sim-v1 proper. Because options are part of the result cache key, an
// override never mixes with cached default-constant results.
//
// Thread-safety: a plain value type.
#include <map>
#include <string>
#include <vector>

namespace bigpe {

struct SimConstants {
  double B0 = 23.5;     // no subject, no modifiers
  double D_FID = 3.0;   // points for full fidelity
  double LAM = 0.3;     // share of A that survives when the subject is lost
  double QSD = 0.8;     // sd of the per-query offset
  double MU = 0.25;     // mean modifier weight
  double RHO = 0.5;     // query-specific share of a weight's sd
  double S_POS = 0.55;  // points per unit of rank-discounted positive weight
  double R = 0.7;       // discount of the k-th best positive modifier
  double S_NEG = 0.5;   // points per unit of negative weight
  double BETA = 0.04;   // points per extra word beyond E0
  double E0 = 8;        // free extra words
  int MAXW = 75;        // words of the prompt that count
  double SD = 0.7;      // total seed-noise sd
  double KAPPA = 0.4;   // share of noise variance common to a (query, seed)

  // Defaults overridden by options named "sim.<NAME>" (NAME as above, case
  // sensitive). Other options, including other "sim.*" keys such as
  // "sim.taste_seed", are ignored. Throws std::invalid_argument naming the
  // option and its value when the value is not a finite number (an integer
  // for MAXW) or is out of range (RHO and KAPPA in [0, 1], SD, QSD, E0 >= 0,
  // MAXW >= 1).
  static SimConstants from_options(const std::map<std::string, std::string>& options);
  // The option names from_options() reads: "sim.B0", ..., "sim.MAXW".
  static std::vector<std::string> option_names();

  bool operator==(const SimConstants& o) const;
};

// `value` of option `key` as a finite number, for the sim options beside the
// constants (sim.judge_rho). Throws std::invalid_argument naming the option
// and its value when it is not one.
double parse_sim_option_number(const std::string& key, const std::string& value);

}  // namespace bigpe
