#include "schemas/protocol.h"

#include <array>
#include <utility>

namespace bigpe::schemas {
namespace {
constexpr std::array<std::pair<Command, const char*>, 12> kNames{{
    {Command::kReady, "READY"},
    {Command::kResult, "RESULT"},
    {Command::kHeartbeat, "HEARTBEAT"},
    {Command::kDisconnect, "DISCONNECT"},
    {Command::kTask, "TASK"},
    {Command::kSubmit, "SUBMIT"},
    {Command::kCancel, "CANCEL"},
    {Command::kStatus, "STATUS"},
    {Command::kAccepted, "ACCEPTED"},
    {Command::kFailed, "FAILED"},
    {Command::kTasks, "TASKS"},
    {Command::kResults, "RESULTS"},
}};
}  // namespace

const char* command_name(Command c) {
  for (const auto& [cmd, name] : kNames)
    if (cmd == c) return name;
  return "?";
}

std::optional<Command> parse_command(const std::string& name) {
  for (const auto& [cmd, n] : kNames)
    if (name == n) return cmd;
  return std::nullopt;
}

}  // namespace bigpe::schemas
