#!/usr/bin/env python3
"""Reference values for tests/models/noise_schedule_test.cpp, computed with
torch (float64) the way diffusers' DDIMScheduler, EulerDiscreteScheduler and
EulerAncestralDiscreteScheduler compute them, written from their algorithms
(x0 prediction, derivative, step) rather than from the C++ coefficients.
The fixed "model" is out = 0.5 * x_in + 0.1 * cos(i + t / 100) and the
ancestral noise of step k is cos(1.3 i + 0.7 k), so no random numbers are
shared between the two languages.

Prints one "name value value ..." line per quantity."""
import numpy as np
import torch

T = 1000
N_ELEMS = 16
IDX = torch.arange(N_ELEMS, dtype=torch.float64)

CASES = [
    # name, sampler, prediction, spacing, steps
    ("euler_eps_linspace_4", "euler", "epsilon", "linspace", 4),
    ("euler_v_linspace_3", "euler", "v_prediction", "linspace", 3),
    ("euler_eps_leading_5", "euler", "epsilon", "leading", 5),
    ("euler_eps_trailing_1", "euler", "epsilon", "trailing", 1),
    ("euler_v_trailing_2", "euler", "v_prediction", "trailing", 2),
    ("euler_a_eps_trailing_4", "euler_a", "epsilon", "trailing", 4),
    ("euler_a_v_leading_3", "euler_a", "v_prediction", "leading", 3),
    ("ddim_eps_leading_5", "ddim", "epsilon", "leading", 5),
    ("ddim_v_leading_4", "ddim", "v_prediction", "leading", 4),
    ("ddim_eps_trailing_3", "ddim", "epsilon", "trailing", 3),
    ("ddim_eps_linspace_7", "ddim", "epsilon", "linspace", 7),
    ("ddim_eps_leading_50", "ddim", "epsilon", "leading", 50),
]


def alphas_cumprod():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T, dtype=torch.float64) ** 2
    return torch.cumprod(1.0 - betas, dim=0)


def timesteps(sampler, spacing, n):
    if spacing == "linspace":
        t = np.linspace(0, T - 1, n, dtype=np.float64)[::-1].copy()
        if sampler == "ddim":
            t = t.round()
    elif spacing == "leading":
        ratio = T // n
        t = (np.arange(0, n) * ratio).round()[::-1].copy().astype(np.float64) + 1  # steps_offset = 1
    else:  # trailing
        t = np.round(np.arange(T, 0, -T / n)).astype(np.float64) - 1
    return t


def model(x_in, t):
    return 0.5 * x_in + 0.1 * torch.cos(IDX + t / 100.0)


def run(sampler, prediction, spacing, n):
    ac = alphas_cumprod()
    ts = timesteps(sampler, spacing, n)
    x = torch.sin(0.1 * IDX + 0.3)
    out = {"timesteps": list(ts)}
    if sampler == "ddim":
        out["init"] = [1.0]
        for t in ts:
            t = int(t)
            a = ac[t]
            prev = t - T // n
            ap = ac[prev] if prev >= 0 else ac[0]  # set_alpha_to_one = False
            m = model(x, float(t))
            if prediction == "epsilon":
                x0 = (x - (1 - a) ** 0.5 * m) / a ** 0.5
                eps = m
            else:
                x0 = a ** 0.5 * x - (1 - a) ** 0.5 * m
                eps = a ** 0.5 * m + (1 - a) ** 0.5 * x
            x = ap ** 0.5 * x0 + (1 - ap) ** 0.5 * eps
        out["x"] = x.tolist()
        return out
    table = ((1 - ac) / ac) ** 0.5
    sigmas = np.interp(ts, np.arange(0, T), table.numpy())
    sigmas = np.concatenate([sigmas, [0.0]])
    init = sigmas.max() if spacing in ("linspace", "trailing") else (sigmas.max() ** 2 + 1) ** 0.5
    out["sigmas"] = list(sigmas)
    out["init"] = [init]
    x = x * init
    for k, t in enumerate(ts):
        sigma = float(sigmas[k])
        x_in = x / (sigma ** 2 + 1) ** 0.5
        m = model(x_in, float(t))
        if prediction == "epsilon":
            x0 = x - sigma * m
        else:
            x0 = m * (-sigma / (sigma ** 2 + 1) ** 0.5) + (x / (sigma ** 2 + 1))
        d = (x - x0) / sigma
        nxt = float(sigmas[k + 1])
        if sampler == "euler_a":
            up = (nxt ** 2 * (sigma ** 2 - nxt ** 2) / sigma ** 2) ** 0.5
            down = (nxt ** 2 - up ** 2) ** 0.5
            x = x + d * (down - sigma) + torch.cos(1.3 * IDX + 0.7 * k) * up
        else:
            x = x + d * (nxt - sigma)
    out["x"] = x.tolist()
    return out


def main():
    ac = alphas_cumprod()
    print("alphas_cumprod " + " ".join(repr(float(v)) for v in ac))
    for name, sampler, prediction, spacing, n in CASES:
        for key, values in run(sampler, prediction, spacing, n).items():
            print("%s.%s %s" % (name, key, " ".join(repr(float(v)) for v in values)))


if __name__ == "__main__":
    main()
