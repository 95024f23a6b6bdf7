// Oversized subscriptions (and oversized messages to an XSUB) from a raw ZMTP
// peer, sent to every socket that takes them from untrusted peers: libzmq
// cuts the peer off (ZMQ_MAXMSGSIZE), the server logs it, stays up and still
// serves a good subscriber. Without the limit, one 200 KB subscription
// crashes ticker-proxy and query-broker when its peer leaves.
#include "catch.hpp"
#include <zmq.hpp>

#include "hostile.hpp"
#include "process.hpp"
#include "ready.hpp"

using namespace std::chrono_literals;
using support::process;
using support::ready;

namespace {

// ZMTP 3.0, NULL mechanism: greeting, READY with our socket type, then frames.
std::string zmtp_greeting()
{
    std::string g(64, '\0');
    g[0] = '\xFF';
    g[9] = '\x7F';
    g[10] = 3;
    g.replace(12, 4, "NULL");
    return g;
}

std::string big_endian(std::uint64_t n, int bytes)
{
    std::string out;
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
    return out;
}

std::string zmtp_frame(std::string_view body, bool command = false)
{
    const char flags = static_cast<char>((command ? 0x04 : 0x00) | (body.size() > 255 ? 0x02 : 0x00));
    return flags + big_endian(body.size(), body.size() > 255 ? 8 : 1) + std::string(body);
}

std::string zmtp_ready(std::string_view socket_type)
{
    return zmtp_frame("\x05READY\x0BSocket-Type" + big_endian(socket_type.size(), 4) + std::string(socket_type), true);
}

// One message of `size` bytes ("\x01" + topic: a subscription) from a raw
// peer of type `as`: the server must close the connection before we do.
void send_oversized(const std::string& endpoint, std::string_view as, std::size_t size)
{
    support::raw_tcp peer(endpoint);
    std::string subscription(size, 'A');
    subscription[0] = '\x01';
    (void)peer.send(zmtp_greeting() + zmtp_ready(as) + zmtp_frame(subscription));  // cut off midway: fine
    CHECK(peer.closed_by_peer(10s));
}

// A good subscriber gets a message within the bound.
bool served(zmq::context_t& ctx, const std::string& endpoint, const std::string& topic)
{
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::subscribe, topic);
    sub.set(zmq::sockopt::rcvtimeo, 10000);
    sub.connect(endpoint);
    zmq::message_t msg;
    return sub.recv(msg).has_value();
}

// Each oversized size, to each socket, then: alive, logged, serving.
void check_refuses(process& server, const std::vector<std::pair<std::string, std::string>>& targets,
                   const std::function<bool()>& serving)
{
    for (const auto size : {200u * 1024, 1024u * 1024, 10u * 1024 * 1024}) {
        for (const auto& [endpoint, as] : targets) {
            INFO(endpoint << " as " << as << ", " << size << " bytes");
            send_oversized(endpoint, as, size);
            REQUIRE_FALSE(server.wait_exit(0ms));
        }
    }
    INFO(server.output());
    CHECK(server.wait_for("was cut off for a message over 512 bytes"));
    CHECK(serving());
    CHECK_FALSE(server.wait_exit(0ms));
}

}  // namespace

TEST_CASE("ticker-pub: oversized subscriptions are refused and logged", "[hostile]")
{
    zmq::context_t ctx;
    process pub({TICKER_PUB, "--bind", "tcp://127.0.0.1:*", "--rate", "200"});
    const auto feed = ready(pub, "publishing on");
    check_refuses(pub, {{feed, "SUB"}}, [&] { return served(ctx, feed, ""); });
}

TEST_CASE("ticker-proxy: oversized subscriptions and ticks are refused and logged, on both sides", "[hostile]")
{
    zmq::context_t ctx;
    process pub({TICKER_PUB, "--bind", "tcp://127.0.0.1:*", "--rate", "200"});
    const auto feed = ready(pub, "publishing on");
    process proxy({TICKER_PROXY, "--connect", feed, "--frontend-bind", "tcp://127.0.0.1:*", "--bind",
                   "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*"});
    const auto publishers = ready(proxy, "publishers connect to");
    const auto subscribers = ready(proxy, "subscribers connect to");
    check_refuses(proxy, {{subscribers, "SUB"}, {publishers, "PUB"}}, [&] { return served(ctx, subscribers, ""); });
}

TEST_CASE("query-server: oversized subscriptions are refused and logged", "[hostile]")
{
    zmq::context_t ctx;
    process pub({TICKER_PUB, "--bind", "tcp://127.0.0.1:*", "--rate", "200"});
    const auto feed = ready(pub, "publishing on");
    process server({QUERY_SERVER, "--feed", feed, "--bind", "tcp://127.0.0.1:*", "--publish", "tcp://127.0.0.1:*"});
    const auto updates = ready(server, "publishing updates on");
    check_refuses(server, {{updates, "SUB"}}, [&] { return served(ctx, updates, "sym:"); });
}

TEST_CASE("query-broker: oversized subscriptions and updates are refused and logged, on both sides", "[hostile]")
{
    zmq::context_t ctx;
    process pub({TICKER_PUB, "--bind", "tcp://127.0.0.1:*", "--rate", "200"});
    const auto feed = ready(pub, "publishing on");
    process broker({QUERY_BROKER, "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*", "--publishers",
                    "tcp://127.0.0.1:*", "--updates", "tcp://127.0.0.1:*"});
    const auto backend = ready(broker, "query-servers connect to");
    const auto publishers = ready(broker, "query-servers publish to");
    const auto updates = ready(broker, "clients subscribe to");
    process server({QUERY_SERVER, "--feed", feed, "--connect", backend, "--publish-connect", publishers});
    REQUIRE(server.wait_for("publishing updates to the broker"));
    check_refuses(broker, {{updates, "SUB"}, {publishers, "PUB"}}, [&] { return served(ctx, updates, "sym:"); });
}

TEST_CASE("workflow-ventilator: oversized subscriptions to the control PUB are refused and logged", "[hostile]")
{
    process vent({WORKFLOW_VENTILATOR, "--tasks", "tcp://127.0.0.1:*", "--feedback", "tcp://127.0.0.1:*", "--control",
                  "tcp://127.0.0.1:*"});
    const auto control = ready(vent, "control on");
    REQUIRE(vent.wait_for("waiting for"));
    check_refuses(vent, {{control, "SUB"}}, [] { return true; });  // it still waits for its workers
}

TEST_CASE("chat-server: oversized subscriptions are refused and logged", "[hostile]")
{
    zmq::context_t ctx;
    process server({CHAT_SERVER, "--bind", "tcp://127.0.0.1:*", "--publish", "tcp://127.0.0.1:*"});
    const auto broadcasts = ready(server, "broadcasts on");
    for (const auto size : {200u * 1024, 1024u * 1024, 10u * 1024 * 1024}) {
        send_oversized(broadcasts, "SUB", size);
        REQUIRE_FALSE(server.wait_exit(0ms));
    }
    INFO(server.output());
    CHECK(server.wait_for("was cut off for a message over"));
    CHECK(served(ctx, broadcasts, ""));  // the welcome message every new subscriber gets
}
