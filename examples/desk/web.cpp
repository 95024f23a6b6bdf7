// The web actor: an HTTP server (cpp-httplib) for the dashboard on
// 127.0.0.1. Its handlers run on httplib's own threads and share nothing
// with the actors: each request makes a socket of its own, in its own thread.
//   GET  /, /desk.js, /desk.css   the page, built into the binary
//   GET  /events                  Server-Sent Events: a SUB to the hub's XPUB
//   POST /chat, /order, /query    a DEALER request to the hub's ROUTER
#include <atomic>
#include <httplib.h>
#include <thread>

#include "common/console.hpp"
#include "common/stop.hpp"
#include "desk.hpp"
#include "events.hpp"
#include "web_assets.hpp"

namespace desk {

constexpr auto sse_wait = 100ms;     // an event stream looks at the stop token this often
constexpr std::size_t max_body = 4096;

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

}  // namespace

void run_web(zmq::context_t& ctx, const web_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    httplib::Server server;
    // Short timeouts: a stopping server waits for its connections' threads.
    server.set_keep_alive_timeout(1);
    server.set_read_timeout(1, 0);
    server.set_write_timeout(1, 0);
    server.set_payload_max_length(max_body);

    for (const auto& asset : web_assets()) {
        auto serve = [&asset](const httplib::Request&, httplib::Response& res) {
            res.set_content(asset.body.data(), asset.body.size(), std::string(asset.type).c_str());
        };
        server.Get(std::string(asset.path), serve);
        if (asset.path == "/index.html") server.Get("/", serve);
    }

    std::atomic<std::uint64_t> pages{0};
    server.Get("/events", [&ctx, &pages, stop](const httplib::Request&, httplib::Response& res) {
        // A SUB for this page, owned by this connection's thread. Its own
        // topic makes the hub send it the picture so far (see hub.cpp).
        auto sub = std::make_shared<zmq::socket_t>(ctx, zmq::socket_type::sub);
        sub->set(zmq::sockopt::subscribe, "all");
        sub->set(zmq::sockopt::subscribe, "c" + std::to_string(++pages));
        common::connect(*sub, std::string(wiring::events));
        res.set_header("Cache-Control", "no-cache");
        res.set_chunked_content_provider("text/event-stream", [sub, stop](std::size_t, httplib::DataSink& sink) {
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
    server.Post("/chat", [&ctx, stop](const httplib::Request& req, httplib::Response& res) {
        reply(res, request(ctx, {"say", req.body}, stop));
    });
    server.Post("/order", [&ctx, stop](const httplib::Request& req, httplib::Response& res) {
        reply(res, request(ctx, {"order", req.body}, stop));
    });
    server.Post("/query", [&ctx, stop](const httplib::Request& req, httplib::Response& res) {
        reply(res, request(ctx, {"query", req.body}, stop));
    });
    // end slide

    const int port = opts.port == 0 ? server.bind_to_any_port(opts.host) : (server.bind_to_port(opts.host, opts.port) ? opts.port : -1);
    if (port <= 0)
        throw std::runtime_error("cannot listen on http://" + opts.host + ":" + std::to_string(opts.port) +
                                 " (is another desk running? pick another with --http)");
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
