// chat-demo: the whole chat in one process: a server, a TCP gateway and two
// bots that talk, each a thread owning its sockets, all sharing one context:
// over inproc by default, or tcp/ipc with the very same code.
#include "chat.hpp"
#include "common/threads.hpp"

int main(int argc, char** argv)
{
    common::program prog("chat-demo", "Runs the chat as threads of one process: server, nc gateway and two talking bots (Example 3).");
    prog.allow_inproc();
    prog.add_transport(common::transport::inproc);
    common::role_options role;
    double interval = 3;
    bool gateway = true;
    prog.add_role_options(role);
    prog.app().add_option("--bot-interval", interval, "Seconds between each bot's lines")->check(CLI::PositiveNumber);
    prog.app().add_flag("!--no-gateway", gateway, "Leave out the nc gateway (tcp port 5572)");

    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        const auto t = prog.chosen_transport();
        const auto commands = common::endpoints_for("chat", t);
        const auto broadcasts = common::endpoints_for("chat-broadcast", t);
        auto as = [&](std::string name) { return common::role_options{std::move(name), role.quiet, role.monitor}; };

        chat::server_options server;
        server.role = as("server");
        server.bind = {commands.bind};
        server.publish = {broadcasts.bind};
        chat::connection_options conn;
        conn.connect = {commands.connect};
        conn.subscribe = {broadcasts.connect};
        chat::gateway_options gw;
        gw.role = as("gateway");
        gw.conn = conn;
        gw.listen = {common::endpoints_for("chat-gateway", common::transport::tcp).bind};
        std::vector<chat::client_options> bots(2);
        for (std::size_t i = 0; i < bots.size(); ++i) {
            bots[i].role = as(i == 0 ? "alice" : "bob");
            bots[i].handle = bots[i].role.name;
            bots[i].conn = conn;
            bots[i].bot = true;
            bots[i].bot_interval = std::chrono::milliseconds(static_cast<long>(interval * 1000));
        }

        common::thread_group roles(stop);
        roles.spawn("server", [&](std::stop_token s) { chat::run_server(ctx, server, s); });
        if (gateway) roles.spawn("gateway", [&](std::stop_token s) { chat::run_gateway(ctx, gw, s); });
        for (auto& bot : bots) roles.spawn(bot.handle, [&](std::stop_token s) { chat::run_client(ctx, bot, s); });
        roles.wait();
    });
}
