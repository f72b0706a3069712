#pragma once
// render.devices: the devices of the local torchscript-sd workers, one
// worker per device. "auto" is one per visible CUDA device (so a box with
// 8 GPUs runs 8 workers, CUDA_VISIBLE_DEVICES applies), or one on the CPU
// when there is none; "cpu"; or a comma-separated list of cpu, cuda and
// cuda:N (the same device twice runs two workers on it).
//
// Pure functions.
#include <string>
#include <vector>

namespace bigpe::engine {

// Why `spec` is not a device list; empty when it is.
std::string local_devices_problem(const std::string& spec);

// The devices, "auto" resolved with `cuda_devices` visible CUDA devices.
// REQUIRES: local_devices_problem(spec) is empty.
std::vector<std::string> local_devices(const std::string& spec, int cuda_devices);

}  // namespace bigpe::engine
