#include "scheduler/serve/web_server.h"

#include <httplib.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/json_strict.h"
#include "common/redis/redis_keys.h"
#include "scheduler/report/experiment_view.h"
#include "scheduler/serve/access_token.h"
#include "scheduler/serve/campaign_json.h"
#include "scheduler/serve/experiment_json.h"
#include "scheduler/serve/image_files.h"
#include "scheduler/serve/request_target.h"
#include "scheduler/serve/workers_json.h"

namespace bigpe::detail {
const std::map<std::string, std::string>& serve_pages();  // generated from serve/pages/
}

namespace bigpe::serve {

using nlohmann::ordered_json;

namespace {

constexpr const char* kChartJs = "/usr/share/javascript/chart.js/chart.min.js";

// An error the client caused or must know about: its status and message.
struct HttpError {
  int status;
  std::string message;
};

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON text whatever the message holds (invalid UTF-8 is replaced).
std::string error_json(int status, const std::string& message) {
  ordered_json j = {{"error", message}, {"status", status}};
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void send_error(httplib::Response& res, bool api, int status, const std::string& message) {
  res.status = status;
  if (api) {
    res.set_content(error_json(status, message), "application/json");
  } else {
    res.set_content("<!doctype html><meta charset=utf-8><title>bigpe serve: " + std::to_string(status) +
                        "</title><link rel=stylesheet href=/static/style.css><h1>" + std::to_string(status) +
                        "</h1><p class=error>" + html_escape(message) + "</p><p><a href=/>all experiments</a>",
                    "text/html; charset=utf-8");
  }
}

ordered_json errors_json(const std::vector<SourceError>& errors) {
  ordered_json out = ordered_json::array();
  for (const SourceError& e : errors) out.push_back({{"source", e.source}, {"error", e.message}});
  return out;
}

std::string joined(const std::vector<SourceError>& errors) {
  std::string s;
  for (const SourceError& e : errors) s += (s.empty() ? "" : "; ") + e.source + ": " + e.message;
  return s;
}

}  // namespace

std::pair<std::string, int> parse_listen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw std::runtime_error("--listen " + text + ": expected HOST:PORT (e.g. 127.0.0.1:8080)");
  const std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoi(port) > 65535)
    throw std::runtime_error("--listen " + text + ": port '" + port + "' is not a number from 0 to 65535");
  return {host, std::stoi(port)};
}

struct WebServer::Impl {
  ServeOptions options;
  DataSources sources;
  AccessToken token;
  broker::BrokerClientOptions broker_options;
  httplib::Server server;
  std::string host;
  int port = 0;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  std::mutex chart_mu;
  std::string chart_js;  // read on first use

  Impl(const ServeOptions& o, std::vector<Source> fixed)
      : options(o), sources(std::move(fixed), o.runs_dir) {}

  // ---- endpoints -------------------------------------------------------

  std::string experiments() {
    ordered_json list = ordered_json::array();
    const auto errors = sources.for_each([&](const SourceView& v) {
      for (const RedisReply& e : v.redis.command({"ZRANGE", redis_keys::kExperiments, "0", "-1"}).elements) {
        ordered_json j = experiment_summary_json(engine::view_of(v.redis, e.str, v.owner_gone));
        j["source"] = v.source.label;
        list.push_back(j);
      }
    });
    fail_if_all_failed(errors);
    return json::dump_strict({{"experiments", list}, {"errors", errors_json(errors)}});
  }

  std::string experiment(const std::string& id) {
    std::optional<ordered_json> found;
    const auto errors = sources.for_each([&](const SourceView& v) {
      if (!found) found = experiment_detail_json(v.redis, id, v.owner_gone);
    });
    if (!found) not_found("experiment", id, errors);
    return json::dump_strict(*found);
  }

  std::string campaigns() {
    ordered_json list = ordered_json::array();
    const auto errors = sources.for_each([&](const SourceView& v) {
      for (ordered_json& c : campaigns_json(v.redis, v.owner_gone)) list.push_back(std::move(c));
    });
    fail_if_all_failed(errors);
    return json::dump_strict({{"campaigns", list}, {"errors", errors_json(errors)}});
  }

  std::string campaign(const std::string& id) {
    std::optional<ordered_json> found;
    const auto errors = sources.for_each([&](const SourceView& v) {
      if (!found) found = campaign_detail_json(v.redis, id, v.owner_gone);
    });
    if (!found) not_found("campaign", id, errors);
    return json::dump_strict(*found);
  }

  std::string workers() {
    ordered_json brokers = ordered_json::array();
    std::vector<std::string> endpoints;
    const auto errors = sources.for_each([&](const SourceView& v) {
      if (!v.broker.empty() && std::find(endpoints.begin(), endpoints.end(), v.broker) == endpoints.end())
        endpoints.push_back(v.broker);
    });
    std::vector<SourceError> broker_errors = errors;
    for (const std::string& e : endpoints) {
      try {
        brokers.push_back(workers_json(e, broker_options));
      } catch (const std::exception& ex) {
        broker_errors.push_back({e, ex.what()});
      }
    }
    if (brokers.empty() && !broker_errors.empty()) throw HttpError{503, joined(broker_errors)};
    ordered_json j = {{"brokers", brokers}, {"errors", errors_json(broker_errors)}};
    if (endpoints.empty()) j["note"] = "no broker known: no running folder, and no --broker given";
    return json::dump_strict(j);
  }

  void fail_if_all_failed(const std::vector<SourceError>& errors) {
    if (!errors.empty() && errors.size() == sources.last_count()) throw HttpError{503, joined(errors)};
  }

  [[noreturn]] void not_found(const std::string& what, const std::string& id, const std::vector<SourceError>& errors) {
    if (!errors.empty())
      throw HttpError{503, "no " + what + " " + id + " in the sources that answered; unreadable: " + joined(errors)};
    throw HttpError{404, "no " + what + " " + id};
  }

  const std::string& chart() {
    std::lock_guard<std::mutex> lock(chart_mu);
    if (chart_js.empty()) {
      std::ifstream f(kChartJs, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      chart_js = ss.str();
      if (chart_js.empty())
        throw HttpError{404, std::string(kChartJs) + " is missing: install libjs-chart.js (scripts/setup does)"};
    }
    return chart_js;
  }

  // ---- routing ---------------------------------------------------------

  void page(httplib::Response& res, const std::string& name) {
    const auto& pages = detail::serve_pages();
    auto it = pages.find(name);
    if (it == pages.end()) throw HttpError{404, "no page " + name};
    const bool html = name.size() > 5 && name.substr(name.size() - 5) == ".html";
    const bool js = name.size() > 3 && name.substr(name.size() - 3) == ".js";
    res.set_content(it->second, html ? "text/html; charset=utf-8" : js ? "text/javascript" : "text/css");
  }

  void route(const RequestTarget& t, const httplib::Request& req, httplib::Response& res) {
    const std::vector<std::string>& s = t.segments;
    const std::size_t n = s.size();
    if (n >= 1 && s[0] == "static") {
      if (n == 2 && s[1] == "chart.js") return res.set_content(chart(), "text/javascript");
      if (n == 2) return page(res, s[1]);
      throw HttpError{404, "no such file under /static"};
    }
    if (n == 1 && s[0] == "login") return page(res, "login.html");
    if (token.required() && !token.allows(req.get_header_value("Authorization"), req.get_header_value("Cookie")))
      throw HttpError{401, "this server needs its token: sign in at /login or send Authorization: Bearer"};
    if (n >= 1 && s[0] == "api") {
      res.set_header("Cache-Control", "no-store");
      if (n == 2 && s[1] == "experiments") return res.set_content(experiments(), "application/json");
      if (n == 3 && s[1] == "experiments") return res.set_content(experiment(s[2]), "application/json");
      if (n == 2 && s[1] == "campaigns") return res.set_content(campaigns(), "application/json");
      if (n == 3 && s[1] == "campaigns") return res.set_content(campaign(s[2]), "application/json");
      if (n == 2 && s[1] == "workers") return res.set_content(workers(), "application/json");
      throw HttpError{404, "no endpoint " + req.path + " (see docs/serve.md)"};
    }
    if (n == 3 && s[0] == "images") {
      std::optional<std::string> file = find_image_file(sources.image_roots(), s[1], s[2]);
      if (!file) throw HttpError{404, "no image " + s[1] + "/" + s[2] + " in the run folders' images/"};
      std::ifstream f(*file, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      return res.set_content(ss.str(), "image/png");
    }
    if (n == 0) return page(res, "index.html");
    if (n == 1 && s[0] == "workers") return page(res, "workers.html");
    if (n == 2 && s[0] == "experiments") return page(res, "experiment.html");
    if (n == 2 && s[0] == "campaigns") return page(res, "campaign.html");
    throw HttpError{404, "no page " + req.path};
  }

  httplib::Server::HandlerResponse handle(const httplib::Request& req, httplib::Response& res) {
    const bool api = req.target.rfind("/api/", 0) == 0;
    if (req.method == "POST" && req.path == "/login") return httplib::Server::HandlerResponse::Unhandled;
    try {
      if (req.method != "GET" && req.method != "HEAD") throw HttpError{405, "method " + req.method + " is not served"};
      route(parse_request_target(req.target), req, res);
    } catch (const BadRequest& e) {
      send_error(res, api, 400, e.what());
    } catch (const HttpError& e) {
      send_error(res, api, e.status, e.message);
    } catch (const RedisError& e) {
      send_error(res, api, 503, std::string("Redis: ") + e.what());
    } catch (const std::exception& e) {
      spdlog::error("bigpe serve: {} {}: {}", req.method, req.path, e.what());
      send_error(res, api, 500, e.what());
    }
    return httplib::Server::HandlerResponse::Handled;
  }

  void login(const httplib::Request& req, httplib::Response& res) {
    const std::string given = req.has_param("token") ? req.get_param_value("token") : "";
    if (!token.required()) {
      res.set_redirect("/", 303);
      return;
    }
    if (!token.matches(given)) {
      send_error(res, false, 401, "wrong token");
      return;
    }
    res.set_header("Set-Cookie", std::string(kTokenCookie) + "=" + given + "; HttpOnly; SameSite=Strict; Path=/");
    res.set_redirect("/", 303);
  }
};

WebServer::WebServer(const ServeOptions& o) {
  std::vector<Source> fixed = o.extra_sources;
  if (!o.redis_url.empty()) fixed.push_back({o.redis_url, o.redis_url, "", "", o.broker});
  impl_ = std::make_unique<Impl>(o, std::move(fixed));
  if (!o.token_file.empty()) impl_->token = AccessToken::from_file(o.token_file);
  impl_->broker_options.curve = broker::load_curve_client_keys(o.curve_key, o.broker_key);
  std::tie(impl_->host, impl_->port) = parse_listen(o.listen);
  Impl* impl = impl_.get();
  impl->server.set_pre_routing_handler(
      [impl](const httplib::Request& req, httplib::Response& res) { return impl->handle(req, res); });
  impl->server.Post("/login", [impl](const httplib::Request& req, httplib::Response& res) {
    try {
      impl->login(req, res);
    } catch (const std::exception& e) {
      send_error(res, false, 500, e.what());
    }
  });
  impl->server.set_payload_max_length(4096);  // a login form, nothing bigger
  impl->server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, false, 500, "internal error");
  });
  if (impl->port == 0) {
    impl->port = impl->server.bind_to_any_port(impl->host);
    if (impl->port < 0) throw std::runtime_error("--listen " + o.listen + ": cannot bind " + impl->host);
  } else if (!impl->server.bind_to_port(impl->host, impl->port)) {
    throw std::runtime_error("--listen " + o.listen + ": cannot bind (in use, or not an address of this host)");
  }
  impl->thread = std::thread([impl] {
    try {
      impl->server.listen_after_bind();
    } catch (const std::exception& e) {
      spdlog::error("bigpe serve stopped: {}", e.what());
    }
    impl->listen_returned = true;
  });
  // Until the accept loop runs, httplib's stop() would be lost and a
  // destructor's join would hang.
  while (!impl->server.is_running() && !impl->listen_returned) std::this_thread::yield();
}

WebServer::~WebServer() {
  if (!impl_) return;
  stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string WebServer::url() const { return "http://" + impl_->host + ":" + std::to_string(impl_->port) + "/"; }

void WebServer::wait() {
  if (impl_->thread.joinable()) impl_->thread.join();
}

void WebServer::stop() { impl_->server.stop(); }

}  // namespace bigpe::serve
