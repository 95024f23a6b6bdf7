// query-demo: the whole query engine in one process. A ticker publisher, a
// query-server (or, with --broker, a query-broker and N workers), a client
// following AAPL's replica, a client watching MSFT, and a bot asking a
// query every few seconds: each a thread owning its sockets, one shared context.
#include "common/threads.hpp"
#include "query.hpp"
#include "ticker.hpp"

using namespace std::chrono_literals;

int main(int argc, char** argv)
{
    common::program prog("query-demo", "Runs the query engine's whole topology as threads of one process (Example 4).");
    prog.allow_inproc();
    prog.add_transport(common::transport::inproc);
    common::role_options role;
    ticker::pub_options pub;
    bool brokered = false;
    int workers = 2;
    prog.add_role_options(role);
    prog.app().add_option("-r,--rate", pub.rate, "Ticks per second")->check(CLI::PositiveNumber);
    prog.app().add_option("--seed", pub.seed, "Seed for reproducible prices (0: random)");
    prog.app().add_flag("--broker", brokered, "Put a query-broker in front of several query-servers");
    prog.app().add_option("--workers", workers, "Query-servers behind the broker")->check(CLI::Range(1, 16));

    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        const auto t = prog.chosen_transport();
        auto ep = [t](const char* service) { return common::endpoints_for(service, t); };
        auto as = [&](std::string name) { return common::role_options{std::move(name), role.quiet, role.monitor}; };

        pub.role = as("pub");
        pub.bind = {ep("ticker").bind};
        query::broker_options broker;
        broker.role = as("broker");
        broker.frontend = {ep("query-broker").bind};
        broker.backend = {ep("query-broker-backend").bind};
        broker.publishers = {ep("query-broker-publishers").bind};
        broker.updates = {ep("query-broker-updates").bind};
        std::vector<query::server_options> servers(brokered ? static_cast<std::size_t>(workers) : 1);
        for (std::size_t i = 0; i < servers.size(); ++i) {
            auto& s = servers[i];
            s.role = as(brokered ? "worker-" + std::to_string(i + 1) : "server");
            s.feed = {ep("ticker").connect};
            if (brokered) {
                s.connect = {ep("query-broker-backend").connect};
                s.publish_connect = {ep("query-broker-publishers").connect};
            } else {
                s.bind = {ep("query").bind};
                s.publish = {ep("query-updates").bind};
            }
        }
        // Clients change nothing but the addresses.
        query::client_options follower, watcher;
        follower.role = as("follow-AAPL");
        follower.connect = {brokered ? ep("query-broker").connect : ep("query").connect};
        follower.updates = {brokered ? ep("query-broker-updates").connect : ep("query-updates").connect};
        follower.follow = {"AAPL"};
        watcher.role = as("watch-MSFT");
        watcher.connect = follower.connect;
        watcher.updates = follower.updates;
        watcher.watch = {"MSFT > 415.25"};
        query::client_options asker;
        asker.role = as("ask");
        asker.connect = follower.connect;
        asker.bot = true;

        common::thread_group roles(stop);
        roles.spawn("pub", [&](std::stop_token s) { ticker::run_pub(ctx, pub, s); });
        if (brokered) roles.spawn("broker", [&](std::stop_token s) { query::run_broker(ctx, broker, s); });
        for (auto& s : servers) roles.spawn(s.role.name, [&](std::stop_token st) { query::run_server(ctx, s, st); });
        roles.spawn("follow-AAPL", [&](std::stop_token s) { query::run_client(ctx, follower, s); });
        roles.spawn("watch-MSFT", [&](std::stop_token s) { query::run_client(ctx, watcher, s); });
        roles.spawn("ask", [&](std::stop_token s) { query::run_client(ctx, asker, s); });
        roles.wait();
    });
}
