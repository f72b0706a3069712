#pragma once
// Picks a TCP port on 127.0.0.1 that is free right now (the kernel's choice
// for port 0). Another process may take it before the caller binds it, so
// callers that can should bind port 0 themselves; this is for programs such
// as redis-server that need a number up front. Thread-safe.
namespace bigpe {

// Throws std::runtime_error if no socket can be bound.
int free_loopback_port();

}  // namespace bigpe
