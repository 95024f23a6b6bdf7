// query-broker: scale-out for query servers. Two zmq_proxy threads:
//   ROUTER (clients' queries, default tcp://*:5582) -> DEALER (workers'
//   ROUTERs connect, default tcp://*:5583): requests are shared out
//   round-robin, replies find their client by the envelope;
//   XSUB (workers' XPUBs connect, default tcp://*:5585) -> XPUB (clients'
//   SUBs, default tcp://*:5584): updates and watch matches come down,
//   subscriptions go up to every worker.
// Clients change nothing but the addresses they connect to.
#include <array>
#include <atomic>
#include <thread>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/subscriptions.hpp"
#include "common/stop.hpp"
#include "query.hpp"

namespace query {

void add_options(common::program& prog, broker_options& opts)
{
    prog.add_role_options(opts.role);
    prog.add_endpoints("--frontend", opts.frontend, "query-broker", common::side::bind, "ROUTER: where clients send queries");
    prog.add_endpoints("--backend", opts.backend, "query-broker-backend", common::side::bind, "DEALER: where query-servers connect (--connect)");
    prog.add_endpoints("--publishers", opts.publishers, "query-broker-publishers", common::side::bind, "XSUB: where query-servers publish (--publish-connect)");
    prog.add_endpoints("--updates", opts.updates, "query-broker-updates", common::side::bind, "XPUB: where clients subscribe");
}

namespace {

// One zmq_proxy in a thread of its own, steered through an inproc PAIR: the
// destructor sends TERMINATE and joins, however the broker ends.
class steered_proxy {
public:
    steered_proxy(zmq::context_t& ctx, zmq::socket_t& frontend, zmq::socket_t& backend, const std::string& name)
        : steer_(ctx, zmq::socket_type::pair), control_(ctx, zmq::socket_type::pair)
    {
        steer_.bind("inproc://" + name);
        control_.connect("inproc://" + name);
        thread_ = std::jthread([&frontend, &backend, this] {
            zmq_proxy_steerable(frontend.handle(), backend.handle(), nullptr, steer_.handle());
        });
    }
    ~steered_proxy()
    {
        try {
            control_.send(zmq::str_buffer("TERMINATE"), zmq::send_flags::none);
        } catch (...) {}  // the context is gone: the proxy has ended too
        thread_.join();
    }
    steered_proxy(const steered_proxy&) = delete;
    steered_proxy& operator=(const steered_proxy&) = delete;

private:
    zmq::socket_t steer_, control_;
    std::jthread thread_;
};

std::string unique_name(std::string_view what)
{
    static std::atomic<unsigned> next{0};
    return "query-broker-" + std::string(what) + "-" + std::to_string(next++);
}

}  // namespace

void run_broker(zmq::context_t& ctx, const broker_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    // slide: query-broker-sockets
    zmq::socket_t frontend(ctx, zmq::socket_type::router);
    zmq::socket_t backend(ctx, zmq::socket_type::dealer);
    zmq::socket_t publishers(ctx, zmq::socket_type::xsub);
    zmq::socket_t updates(ctx, zmq::socket_type::xpub);
    // end slide
    const std::array monitors{common::monitor_if(opts.role.monitor, ctx, frontend, "frontend", out),
                              common::monitor_if(opts.role.monitor, ctx, backend, "backend", out),
                              // Both take messages from peers: a frame over 512 bytes (an update is
                              // far smaller) cuts its peer off (common/subscriptions.hpp).
                              common::limit_untrusted(ctx, publishers, common::max_subscription_bytes, "publishers", out, opts.role.monitor),
                              common::limit_untrusted(ctx, updates, common::max_subscription_bytes, "updates", out, opts.role.monitor)};
    for (const auto& ep : opts.frontend) out.info("clients send queries to ", common::bind(frontend, ep));
    for (const auto& ep : opts.backend) out.info("query-servers connect to ", common::bind(backend, ep));
    for (const auto& ep : opts.publishers) out.info("query-servers publish to ", common::bind(publishers, ep));
    for (const auto& ep : opts.updates) out.info("clients subscribe to ", common::bind(updates, ep));
    {
        // slide: query-broker-proxies
        steered_proxy queries(ctx, frontend, backend, unique_name("queries"));
        steered_proxy data(ctx, publishers, updates, unique_name("updates"));
        // end slide
        while (common::sleep_for(std::chrono::hours(1), stop)) {}
    }
    out.info("stopped");
}

}  // namespace query
