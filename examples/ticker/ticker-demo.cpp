// ticker-demo: the whole ticker in one process. A publisher, two subscribers
// and optionally a proxy, each a thread owning its sockets, all sharing one
// context: over inproc by default, or tcp/ipc with the very same code.
#include "common/threads.hpp"
#include "ticker.hpp"

int main(int argc, char** argv)
{
    common::program prog("ticker-demo", "Runs the stock ticker's whole topology as threads of one process (Example 1).");
    prog.allow_inproc();
    prog.add_transport(common::transport::inproc);
    common::role_options role;
    ticker::pub_options pub;
    bool with_proxy = false;
    prog.add_role_options(role);
    prog.app().add_option("-r,--rate", pub.rate, "Ticks per second")->check(CLI::PositiveNumber);
    prog.app().add_option("--seed", pub.seed, "Seed for reproducible prices (0: random)");
    prog.app().add_flag("--proxy", with_proxy, "Put a ticker-proxy between the publisher and the subscribers");

    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        const auto t = prog.chosen_transport();
        const auto feed = common::endpoints_for("ticker", t);
        const auto proxied = common::endpoints_for("ticker-proxy", t);
        auto as = [&](std::string name) { return common::role_options{std::move(name), role.quiet, role.monitor}; };

        pub.role = as("pub");
        pub.bind = {feed.bind};
        ticker::proxy_options proxy;
        proxy.role = as("proxy");
        proxy.connect = {feed.connect};
        proxy.bind = {proxied.bind};
        proxy.control = {common::endpoints_for("ticker-proxy-control", t).bind};
        // Two subscribers: one follows AAPL, the other every symbol starting with M.
        ticker::sub_options apple, m_stocks;
        apple.role = as("sub-AAPL");
        apple.connect = {with_proxy ? proxied.connect : feed.connect};
        apple.symbols = {"AAPL"};
        m_stocks.role = as("sub-M");
        m_stocks.connect = apple.connect;
        m_stocks.symbols = {"M"};

        // slide: ticker-demo-threads
        // A thread per role; s is the group's std::stop_token.
        common::thread_group roles(stop);
        roles.spawn("pub", [&](auto s) { ticker::run_pub(ctx, pub, s); });
        if (with_proxy)
            roles.spawn("proxy", [&](auto s) { ticker::run_proxy(ctx, proxy, s); });
        roles.spawn("sub-AAPL", [&](auto s) { ticker::run_sub(ctx, apple, s); });
        roles.spawn("sub-M", [&](auto s) { ticker::run_sub(ctx, m_stocks, s); });
        roles.wait();
        // end slide
    });
}
