// desk: the wiring. The actors, each a thread owning its sockets; and, for
// every service given no address, that service embedded as threads over
// inproc (examples 1-4's own role functions).
#include "common/threads.hpp"
#include "desk.hpp"
#include "query.hpp"
#include "ticker.hpp"

namespace desk {

constexpr auto bot_interval = 5s;  // the embedded chat's bot says something this often

void add_options(common::program& prog, desk_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    opts.role.name = "desk";
    prog.allow_inproc();
    prog.add_transport(common::transport::inproc);
    opts.http = "127.0.0.1:" + std::to_string(common::default_port("desk-http"));
    app.add_option_function<std::string>("--ui", [&](const std::string& ui) { opts.console = ui == "console"; },
                                         "web: the dashboard (and events as lines); console: every event as a line, typed lines are said")
        ->check(CLI::IsMember({"web", "console"}))->default_str("web");
    app.add_option("--http", opts.http, "Where the dashboard listens, HOST:PORT (port 0: any free port)")->type_name("HOST:PORT");
    const auto services = " (default with --transport inproc: embedded; else the service's default endpoint)";
    app.add_option("--ticker", opts.ticker, std::string("The ticker's PUB (ticker-pub)") + services)->type_name("ENDPOINT");
    app.add_option("--symbol", opts.symbols, "Follow this symbol (repeatable; default: every symbol)")->type_name("SYMBOL");
    app.add_option("--chat", opts.chat, std::string("The chat server's ROUTER (chat-server)") + services)->type_name("ENDPOINT");
    app.add_option("--chat-broadcast", opts.chat_broadcast, std::string("The chat server's PUB") + services)->type_name("ENDPOINT");
    app.add_option("-u,--handle", opts.handle, "The desk's name in the chat")
        ->check([](const std::string& h) { return chat::valid_name(h) ? "" : "1-24 characters of A-Z a-z 0-9 _ . -"; });
    app.add_flag("!--no-bot", opts.bot, "Embedded chat: no bot to talk to");
    app.add_option("--tasks", opts.tasks, "Workflow: where workers connect for tasks; the desk binds (PUSH)" + std::string(services))->type_name("ENDPOINT");
    app.add_option("--results", opts.results, "Workflow: where workers push results; the desk binds (PULL)")->type_name("ENDPOINT");
    app.add_option("--control", opts.control, "Workflow: where workers hear END; the desk binds (PUB)")->type_name("ENDPOINT");
    app.add_option("-w,--workers", opts.workers, "Embedded worker threads; or, with workers elsewhere, how many to wait for (1 s at most)")
        ->check(CLI::Range(1U, 64U));
    app.add_option("--query", opts.query, std::string("The query engine's ROUTER (query-server or query-broker)") + services)->type_name("ENDPOINT");
    app.add_option("--paths", opts.paths, "Monte Carlo paths per position")->check(CLI::Range(1U, 10'000'000U));
    prog.after_parse([&prog, &opts] {
        // Not inproc: every service not given elsewhere is at its default endpoint.
        if (const auto t = prog.chosen_transport(); t != common::transport::inproc) {
            auto fill = [t](std::vector<std::string>& out, const char* service, common::side s) {
                const auto ep = common::endpoints_for(service, t);
                if (out.empty()) out.push_back(s == common::side::bind ? ep.bind : ep.connect);
            };
            fill(opts.ticker, "ticker", common::side::connect);
            fill(opts.chat, "chat", common::side::connect);
            fill(opts.chat_broadcast, "chat-broadcast", common::side::connect);
            fill(opts.tasks, "workflow-tasks", common::side::bind);
            fill(opts.results, "workflow-results", common::side::bind);
            fill(opts.control, "workflow-control", common::side::bind);
            fill(opts.query, "query", common::side::connect);
        }
        if (opts.chat.empty() != opts.chat_broadcast.empty()) throw common::usage_error("--chat and --chat-broadcast go together");
        if (opts.tasks.empty() != opts.results.empty() || opts.tasks.empty() != opts.control.empty())
            throw common::usage_error("--tasks, --results and --control go together");
        const auto colon = opts.http.rfind(':');
        const auto port = colon == std::string::npos ? common::parse_int("") : common::parse_int(opts.http.substr(colon + 1));
        if (colon == 0 || !port || *port < 0 || *port > 65535) throw common::usage_error("--http takes HOST:PORT, e.g. 127.0.0.1:5590");
    });
}

void run_desk(zmq::context_t& ctx, const desk_options& opts, std::stop_token stop)
{
    const auto in = common::transport::inproc;
    auto as = [&](std::string name) { return common::role_options{std::move(name), opts.role.quiet, opts.role.monitor}; };
    auto embedded = [&](std::string name) { return common::role_options{std::move(name), true, opts.role.monitor}; };

    // The services (examples 1-4), embedded when given no address.
    ticker::pub_options pub;
    market_options market{as("market"), opts.ticker, opts.symbols};
    if (market.connect.empty()) {
        pub.role = embedded("ticker-pub");
        pub.bind = {common::endpoints_for("ticker", in).bind};
        market.connect = {common::endpoints_for("ticker", in).connect};
    }
    chat::server_options server;
    chat::client_options bot;
    chat_options talk{as("chat"), {}, opts.handle, std::string(chat::default_room)};
    talk.conn.connect = opts.chat;
    talk.conn.subscribe = opts.chat_broadcast;
    const bool chat_embedded = opts.chat.empty();
    if (chat_embedded) {
        server.role = embedded("chat-server");
        server.bind = {common::endpoints_for("chat", in).bind};
        server.publish = {common::endpoints_for("chat-broadcast", in).bind};
        talk.conn.connect = {common::endpoints_for("chat", in).connect};
        talk.conn.subscribe = {common::endpoints_for("chat-broadcast", in).connect};
        bot.role = embedded("alice");
        bot.handle = opts.handle == "alice" ? "bob" : "alice";
        bot.conn = talk.conn;
        bot.bot = true;
        bot.bot_interval = bot_interval;
    }
    query::server_options engine;  // follows the same feed as the market actor
    query_options ask{as("query"), opts.query};
    if (ask.connect.empty()) {
        engine.role = embedded("query-server");
        engine.feed = market.connect;
        engine.bind = {common::endpoints_for("query", in).bind};
        ask.connect = {common::endpoints_for("query", in).connect};
    }
    valuation_options valuation{as("valuation"), opts.tasks, opts.results, opts.control, opts.workers, opts.paths};
    hub_options hub{as(opts.role.name), opts.console};
    web_options web{as("web")};
    const auto colon = opts.http.rfind(':');
    web.host = opts.http.substr(0, colon);
    web.port = static_cast<int>(*common::parse_int(opts.http.substr(colon + 1)));

    // One thread per actor and per embedded role; the first to fail stops them all.
    common::thread_group threads(stop);
    threads.spawn("hub", [&](std::stop_token s) { run_hub(ctx, hub, s); });
    if (!pub.bind.empty()) threads.spawn("ticker-pub", [&](std::stop_token s) { ticker::run_pub(ctx, pub, s); });
    if (chat_embedded) {
        threads.spawn("chat-server", [&](std::stop_token s) { chat::run_server(ctx, server, s); });
        if (opts.bot) threads.spawn(bot.handle, [&](std::stop_token s) { chat::run_client(ctx, bot, s); });
    }
    threads.spawn("market", [&](std::stop_token s) { run_market(ctx, market, s); });
    threads.spawn("chat", [&](std::stop_token s) { run_chat(ctx, talk, s); });
    threads.spawn("valuation", [&](std::stop_token s) { run_valuation(ctx, valuation, s); });
    if (!engine.bind.empty()) threads.spawn("query-server", [&](std::stop_token s) { query::run_server(ctx, engine, s); });
    threads.spawn("query", [&](std::stop_token s) { run_query(ctx, ask, s); });
    if (opts.console) threads.spawn("console", [&](std::stop_token s) { run_console_input(ctx, as("console"), s); });
    else threads.spawn("web", [&](std::stop_token s) { run_web(ctx, web, s); });
    threads.wait();
}

}  // namespace desk
