#pragma once
// The JSON of /api/workers (docs/serve.md): the broker's STATUS reply
// (schemas/README.md section 7.2): totals and rates, per service and
// backend identity its workers, queue depth, in-flight tasks and free
// slots, and per worker its services, slots held, busy time of its batch
// and whether it is suspect or stalled.
//
// Thread-safety: any thread (each call opens its own broker client).
#include <string>

#include <nlohmann/json.hpp>

#include "broker/broker_client.h"

namespace bigpe::serve {

// Throws std::runtime_error naming the endpoint when the broker does not
// answer within two seconds.
nlohmann::ordered_json workers_json(const std::string& broker_endpoint,
                                    const broker::BrokerClientOptions& options);

}  // namespace bigpe::serve
