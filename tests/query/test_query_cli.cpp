// The query engine's command lines: help, usage errors, no server, malformed
// requests on the wire, the interactive prompt, and Ctrl-C.
#include "catch.hpp"
#include <csignal>
#include <zmq_addon.hpp>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "endpoints.hpp"
#include "process.hpp"
#include "ready.hpp"

using namespace std::chrono_literals;
using support::process;
using support::ready;

namespace {

// A tcp endpoint where nobody listens: bound, read back, closed.
std::string closed_tcp_endpoint()
{
    auto ctx = common::make_context();
    zmq::socket_t s(ctx, zmq::socket_type::rep);
    s.bind("tcp://127.0.0.1:*");
    return s.get(zmq::sockopt::last_endpoint);
}

void stops_on_sigint(process& p)
{
    const auto start = std::chrono::steady_clock::now();
    p.signal(SIGINT);
    INFO(p.output());
    CHECK(p.wait_exit(1s) == 0);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

}  // namespace

TEST_CASE("query programs: --help, and usage errors give status 2", "[cli]")
{
    for (const char* program : {QUERY_SERVER, QUERY_BROKER, QUERY_CLIENT, QUERY_DEMO}) {
        const auto help = support::run({program, "--help"});
        INFO(program << "\n" << help.output);
        CHECK(help.status == 0);
        CHECK_THAT(help.output, ContainsSubstring("Example 4"));
        CHECK(support::run({program, "--bogus"}).status == 2);
        CHECK(support::run({program, "--transport", "udp"}).status == 2);
    }
    CHECK(support::run({QUERY_SERVER, "--transport", "inproc"}).status == 2);
    CHECK(support::run({QUERY_CLIENT, "LAST AAPL", "--follow", "AAPL"}).status == 2);
    CHECK(support::run({QUERY_CLIENT, "--follow", "WAY-TOO-LONG-A-SYMBOL"}).status == 2);
    CHECK(support::run({QUERY_CLIENT, "--timeout", "0", "LAST AAPL"}).status == 2);
}

TEST_CASE("query-client: no server, a bounded number of attempts, then status 1 and a message", "[cli]")
{
    support::private_dir dir;
    for (const auto& endpoint : {closed_tcp_endpoint(), dir.ipc("nobody")}) {
        const auto start = std::chrono::steady_clock::now();
        const auto r = support::run({QUERY_CLIENT, "--connect", endpoint, "--timeout", "200", "--retries", "2", "LAST AAPL"});
        const auto took = std::chrono::steady_clock::now() - start;
        INFO(r.output);
        CHECK(r.status == 1);
        CHECK_THAT(r.output, ContainsSubstring("no reply from " + endpoint + " after 3 attempts of 200 ms"));
        CHECK(took >= 600ms);
        CHECK(took < 5s);
    }
}

TEST_CASE("query-server: malformed requests get an error or are dropped, and the server carries on", "[cli]")
{
    support::private_dir dir;
    process server({QUERY_SERVER, "--feed", dir.ipc("no-feed"), "--bind", "tcp://127.0.0.1:*", "--publish", dir.ipc("u")});
    const auto queries = ready(server, "answering queries on");
    auto ctx = common::make_context();
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.connect(queries);
    auto ask = [&](std::vector<std::string> frames, std::chrono::milliseconds timeout = 5s) {
        std::vector<zmq::message_t> msg;
        for (auto& f : frames) msg.emplace_back(f.data(), f.size());
        REQUIRE(common::send(dealer, msg, {}, 5s));
        std::vector<std::string> reply;
        if (common::recv(dealer, msg, {}, timeout))
            for (auto& m : msg) reply.push_back(m.to_string());
        return reply;
    };
    using frames = std::vector<std::string>;
    CHECK(ask({"", "LAST AAPL", "more"}) == frames{"", "ERR", "expected one frame, the query, after the empty frame"});
    CHECK(ask({"", std::string("\xFF\xFE", 2)}) == frames{"", "ERR", "query is not valid UTF-8"});
    CHECK(ask({"", ""}) == frames{"", "ERR", "query is empty"});
    CHECK(ask({"", std::string(300, 'x')})[1] == "ERR");
    ask({"LAST AAPL"}, 0ms);  // no envelope: dropped, and said so
    CHECK(server.wait_for("W: dropped a request without an envelope"));
    CHECK(ask({"", "LAST AAPL"}) == frames{"", "ERR", "column 6: no ticks for symbol 'AAPL' (SYMBOLS lists the symbols seen)"});
    CHECK(ask({"", "SYMBOLS"}) == frames{"", "OK", ""});
    stops_on_sigint(server);
}

TEST_CASE("query-client reads queries from stdin, and Ctrl-C stops every program with status 0 within 1 s", "[cli]")
{
    support::private_dir dir;
    process server({QUERY_SERVER, "--feed", dir.ipc("no-feed"), "--bind", dir.ipc("q"), "--publish", dir.ipc("u")});
    const auto queries = ready(server, "answering queries on");
    const auto updates = ready(server, "publishing updates on");
    process broker({QUERY_BROKER, "--frontend", dir.ipc("f"), "--backend", dir.ipc("b"), "--publishers", dir.ipc("p"),
                    "--updates", dir.ipc("bu")});
    ready(broker, "clients subscribe to");

    process prompt({QUERY_CLIENT, "--connect", queries}, support::piped_stdin);
    prompt.write_line("HELP");
    REQUIRE(prompt.wait_for("SYMBOLS"));
    prompt.write_line("LAST");
    REQUIRE(prompt.wait_for("column 5: expected a symbol"));
    process follower({QUERY_CLIENT, "--connect", queries, "--updates", updates, "--follow", "AAPL", "--watch", "AAPL > 1"});
    REQUIRE(follower.wait_for("(no ticks yet)"));
    REQUIRE(follower.wait_for("watching AAPL > 1"));

    stops_on_sigint(prompt);
    stops_on_sigint(follower);
    stops_on_sigint(broker);
    stops_on_sigint(server);
}
