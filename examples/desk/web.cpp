// The web actor: an HTTP server (cpp-httplib) for the dashboard on
// 127.0.0.1. Its handlers run on httplib's own threads and share nothing
// with the actors: each request makes a socket of its own, in its own thread.
//   GET  /, /desk.js, /desk.css   the page, built into the binary
//   GET  /events                  Server-Sent Events: a SUB to the hub's XPUB
//   POST /chat, /order, /query    a DEALER request to the hub's ROUTER
// Before any handler, every request is checked (see http_server.hpp for the
// limits on connections): Host is this desk's address (421: DNS rebinding),
// a body has a Content-Length of at most 4096 bytes (411, 413), a POST comes
// from the dashboard's own origin (403: another web page in the browser).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <optional>
#include <thread>

#include "common/codec.hpp"
#include "common/console.hpp"
#include "common/stop.hpp"
#include "common/throttle.hpp"
#include "desk.hpp"
#include "events.hpp"
#include "http_server.hpp"
#include "web_assets.hpp"

namespace desk {

constexpr auto sse_wait = 100ms;     // an event stream looks at the stop token this often
constexpr std::size_t max_body = 4096;
constexpr int max_streams = 64;      // event streams open at once

namespace {

void reply(httplib::Response& res, const std::vector<std::string>& r)
{
    if (!r.empty() && r[0] == "OK") {
        res.set_content("{\"ok\":true" + (r.size() > 1 ? ",\"id\":" + json_string(r[1]) : std::string()) + "}", "application/json");
    } else {
        res.status = r.size() > 1 && r[1] == "the desk is not answering" ? 503 : 400;
        res.set_content("{\"ok\":false,\"error\":" + json_string(r.size() > 1 ? r[1] : "refused") + "}", "application/json");
    }
}

struct refusal {
    int status;
    std::string why;
};

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Who may talk to a dashboard listening on host:port.
class policy {
public:
    policy(const std::string& host, int port) : port_(port), any_(host.empty() || host == "0.0.0.0" || host == "::" || host == "*")
    {
        add(lower(host));
        if (any_ || host.starts_with("127.") || host == "localhost" || host == "::1")
            for (const auto* name : {"127.0.0.1", "localhost", "::1"}) add(name);
    }

    // nullopt: the request may go on to its handler.
    std::optional<refusal> check(const httplib::Request& req) const
    {
        const auto host = lower(req.get_header_value("Host"));
        if (!serves(host, req))
            return refusal{421, host.empty() ? "a request needs a Host header" : "this desk is not " + common::printable(host)};
        const bool changes = req.method != "GET" && req.method != "HEAD";
        if (req.has_header("Transfer-Encoding")) return refusal{411, "a request body needs a Content-Length, not chunks"};
        if (changes || req.has_header("Content-Length")) {
            if (!req.has_header("Content-Length")) return refusal{411, "a request body needs a Content-Length"};
            const auto length = common::parse_int(req.get_header_value("Content-Length"));
            if (!length || *length < 0) return refusal{400, "a bad Content-Length"};
            if (*length > static_cast<std::int64_t>(max_body)) return refusal{413, "a request body is at most 4096 bytes"};
        }
        // A browser says where a request comes from: Origin (on every POST,
        // and on a cross-origin EventSource) and Sec-Fetch-Site.
        const auto origin = lower(req.get_header_value("Origin"));
        const auto site = req.get_header_value("Sec-Fetch-Site");
        const auto own = "http://" + host;
        if (changes && (origin != own || (!site.empty() && site != "same-origin")))
            return refusal{403, origin.empty() ? "a request that changes something needs the dashboard's Origin"
                                               : "Origin " + common::printable(origin) + " is not the dashboard's"};
        if (!changes && ((!origin.empty() && origin != own) || site == "cross-site" || site == "same-site"))
            return refusal{403, "the dashboard's events are for its own page"};
        return std::nullopt;
    }

private:
    void add(std::string name)
    {
        if (name.find(':') != std::string::npos) name = "[" + name + "]";  // IPv6
        names_.push_back(name + ":" + std::to_string(port_));
        if (port_ == 80) names_.push_back(name);
    }
    bool serves(const std::string& host, const httplib::Request& req) const
    {
        if (std::find(names_.begin(), names_.end(), host) != names_.end()) return true;
        if (!any_) return false;
        // Listening on every address: also the one this connection came to.
        auto local = req.local_addr.starts_with("::ffff:") ? req.local_addr.substr(7) : req.local_addr;
        if (local.find(':') != std::string::npos) local = "[" + local + "]";
        return host == local + ":" + std::to_string(port_) || (port_ == 80 && host == local);
    }

    int port_;
    bool any_;
    std::vector<std::string> names_;
};

// Holds one of the max_streams places while an event stream is open.
struct stream_slot {
    std::atomic<int>& open;
    const int number;
    explicit stream_slot(std::atomic<int>& o) : open(o), number(++o) {}
    ~stream_slot() { --open; }
    stream_slot(const stream_slot&) = delete;
    stream_slot& operator=(const stream_slot&) = delete;
};

}  // namespace

void run_web(zmq::context_t& ctx, const web_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    std::atomic<std::uint64_t> pages{0};
    std::atomic<int> streams{0};
    common::throttle refusals;  // a line a second at most, with a count of the rest
    auto refuse = [&](const httplib::Request& req, httplib::Response& res, const refusal& r) {
        res.status = r.status;
        res.set_content("{\"ok\":false,\"error\":" + json_string(r.why) + "}", "application/json");
        if (const auto suppressed = refusals.allow())
            out.warn("refused ", req.method, " ", common::printable(req.path), " from ", req.remote_addr, " with ", r.status, ": ",
                     r.why, *suppressed ? " (and " + std::to_string(*suppressed) + " more refused since the last report)" : "");
    };

    http_server server;
    server.set_payload_max_length(max_body);
    const int port = server.bind(opts.host, opts.port);
    if (port <= 0)
        throw std::runtime_error("cannot listen on http://" + opts.host + ":" + std::to_string(opts.port) +
                                 " (is another desk running? pick another with --http)");
    const policy guard(opts.host, port);
    server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
        const auto refused = guard.check(req);
        if (!refused) return httplib::Server::HandlerResponse::Unhandled;
        refuse(req, res, *refused);
        return httplib::Server::HandlerResponse::Handled;
    });

    for (const auto& asset : web_assets()) {
        auto serve = [&asset](const httplib::Request&, httplib::Response& res) {
            res.set_content(asset.body.data(), asset.body.size(), std::string(asset.type).c_str());
        };
        server.Get(std::string(asset.path), serve);
        if (asset.path == "/index.html") server.Get("/", serve);
    }

    server.Get("/events", [&, stop](const httplib::Request& req, httplib::Response& res) {
        auto slot = std::make_shared<stream_slot>(streams);
        if (slot->number > max_streams) return refuse(req, res, {503, "too many event streams open (64)"});
        // A SUB for this page, owned by this connection's thread. Its own
        // topic makes the hub send it the picture so far (see hub.cpp).
        auto sub = std::make_shared<zmq::socket_t>(ctx, zmq::socket_type::sub);
        sub->set(zmq::sockopt::subscribe, "all");
        sub->set(zmq::sockopt::subscribe, "c" + std::to_string(++pages));
        common::connect(*sub, std::string(wiring::events));
        res.set_header("Cache-Control", "no-cache");
        res.set_chunked_content_provider("text/event-stream", [sub, slot, stop](std::size_t, httplib::DataSink& sink) {
            std::vector<zmq::message_t> msg;
            for (auto wait = sse_wait; common::recv(*sub, msg, stop, wait); wait = 0ms) {
                if (msg.size() != 2) continue;
                const auto chunk = "data: " + msg[1].to_string() + "\n\n";
                if (!sink.write(chunk.data(), chunk.size())) return false;
            }
            // Stopping: httplib ends the stream itself once the server is
            // stopped, and then closes the connection instead of keeping it.
            if (stop.stop_requested()) std::this_thread::sleep_for(10ms);
            return true;
        });
    });

    // slide: desk-web-request
    using httplib::Request, httplib::Response;
    server.Post("/chat", [&ctx, stop](const Request& req, Response& res) {
        reply(res, request(ctx, {"say", req.body}, stop));
    });
    server.Post("/order", [&ctx, stop](const Request& req, Response& res) {
        reply(res, request(ctx, {"order", req.body}, stop));
    });
    server.Post("/query", [&ctx, stop](const Request& req, Response& res) {
        reply(res, request(ctx, {"query", req.body}, stop));
    });
    // end slide

    out.summary("dashboard on http://", opts.host, ":", port, "/");

    // httplib's listen loop in a thread of its own; this one waits for stop.
    std::atomic<bool> listening = true;
    std::jthread listener([&] {
        server.listen_after_bind();
        listening = false;
    });
    while (listening && common::sleep_for(50ms, stop)) {}
    if (!stop.stop_requested()) throw std::runtime_error("the HTTP server stopped");
    // stop() is lost if it comes before the listen loop starts: say it until heard.
    while (listening) {
        server.stop();
        std::this_thread::sleep_for(10ms);
    }
}

}  // namespace desk
