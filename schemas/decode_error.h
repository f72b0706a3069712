#pragma once
// The one error type for input that does not match a schema. Its message
// always names the message (or record) and the field, so a log line says
// exactly what a peer got wrong.
#include <stdexcept>
#include <string>

namespace bigpe::schemas {

class DecodeError : public std::runtime_error {
 public:
  DecodeError(const std::string& message, const std::string& field, const std::string& reason)
      : std::runtime_error(message + (field.empty() ? "" : "." + field) + ": " + reason),
        message_(message), field_(field) {}
  const std::string& message_name() const { return message_; }
  const std::string& field() const { return field_; }

 private:
  std::string message_;
  std::string field_;
};

}  // namespace bigpe::schemas
