// Oversized subscriptions (and oversized messages to an XSUB) from a raw ZMTP
// peer, sent to every socket that takes them from untrusted peers: libzmq
// cuts the peer off (ZMQ_MAXMSGSIZE), the server logs it, stays up and still
// serves a good subscriber. Without the limit, one 200 KB subscription
// crashes ticker-proxy and query-broker when its peer leaves.
//
// Then floods: 200,000 subscriptions of 200 bytes (40 MB) from one raw peer,
// and many peers each under their own limit. Without the subscription budget
// (common/subscriptions.hpp) they took servers to 1.2-1.8 GB and stalled every
// subscriber for 15-20 s; now the flooder is cut off, the server stays small,
// and a good subscriber keeps getting its messages.
#include "catch.hpp"
#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <zmq.hpp>

#include "hostile.hpp"
#include "process.hpp"
#include "ready.hpp"
#include "timing.hpp"

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

// The handshake of a raw peer of type `as`: our greeting and READY, then the
// server's. libzmq takes a message that arrives before it has sent its own
// READY as a broken handshake, so a peer that sends everything at once is
// refused for that, not for what it sends.
bool zmtp_handshake(support::raw_tcp& peer, std::string_view as)
{
    return peer.send(zmtp_greeting() + zmtp_ready(as)) && peer.wait_for("READY", 10s);
}

// One message of `size` bytes ("\x01" + topic: a subscription) from a raw
// peer of type `as`: the server must close the connection before we do.
void send_oversized(const std::string& endpoint, std::string_view as, std::size_t size)
{
    support::raw_tcp peer(endpoint);
    std::string subscription(size, 'A');
    subscription[0] = '\x01';
    REQUIRE(zmtp_handshake(peer, as));
    (void)peer.send(zmtp_frame(subscription));  // cut off midway: fine
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

// A good subscriber on a thread of its own: the longest it waited between two
// messages, from its first message until stopped.
class watcher {
public:
    watcher(zmq::context_t& ctx, const std::string& endpoint, const std::string& topic)
        : thread_([this, &ctx, endpoint, topic](std::stop_token stop) {
              zmq::socket_t sub(ctx, zmq::socket_type::sub);
              sub.set(zmq::sockopt::subscribe, topic);
              sub.set(zmq::sockopt::rcvtimeo, 20);
              sub.connect(endpoint);
              zmq::message_t msg;
              auto last = std::chrono::steady_clock::now();
              while (!stop.stop_requested()) {
                  const bool got = sub.recv(msg).has_value();
                  const auto now = std::chrono::steady_clock::now();
                  if (messages_ > 0) longest_ = std::max(longest_.load(), std::chrono::ceil<std::chrono::milliseconds>(now - last));
                  if (got) ++messages_, last = now;
              }
          })
    {
    }
    bool served(std::chrono::milliseconds timeout = 10s) const
    {
        for (auto waited = 0ms; messages_ == 0 && waited < timeout; waited += 10ms) std::this_thread::sleep_for(10ms);
        return messages_ > 0;
    }
    long messages() const { return messages_; }
    std::chrono::milliseconds longest_gap() const { return longest_; }

private:
    std::atomic<long> messages_{0};
    std::atomic<std::chrono::milliseconds> longest_{0ms};
    std::jthread thread_;
};

// A subscription ("\x01" + topic) of `size` bytes: the prefix, then letters,
// so that each one costs the trie its whole length.
std::string distinct_subscription(const std::string& prefix, std::size_t size, std::mt19937& random)
{
    std::string subscription = "\x01" + prefix;
    while (subscription.size() < size) subscription += static_cast<char>('a' + random() % 26);
    return subscription;
}

// `count` distinct subscriptions of `size` bytes, as fast as the server takes
// them, from one raw peer. True when the server cut it off before the end.
bool flood(const std::string& endpoint, std::size_t count, std::size_t size = 200)
{
    support::raw_tcp peer(endpoint);
    REQUIRE(zmtp_handshake(peer, "SUB"));
    std::mt19937 random(42);
    std::string batch;
    for (std::size_t i = 0; i < count; ++i) {
        batch += zmtp_frame(distinct_subscription(std::to_string(i) + ":", size, random));
        if (batch.size() >= 200 * 1024 || i + 1 == count) {
            if (!peer.send(batch, 10s)) return peer.closed_by_peer(10s);
            batch.clear();
        }
    }
    return peer.closed_by_peer(2s);  // all sent: still cut off soon after, if it went over
}

// One peer floods `endpoint` of `server`, while `good` watches: the flooder is
// cut off and logged, the server stays under 100 MB, and the good subscriber
// never waits more than 1 s (the bound, timing.hpp) for a message.
void check_flood(process& server, const std::string& endpoint, watcher& good)
{
    REQUIRE(good.served());
    CHECK(flood(endpoint, 200'000));
    INFO(server.output());
    CHECK(server.wait_for("of subscriptions (over its budget"));
    const auto before = good.messages();
    for (int i = 0; i < 100 && good.messages() < before + 5; ++i) std::this_thread::sleep_for(20ms);
    CHECK(good.messages() >= before + 5);  // still served after the flood
    CHECK(good.longest_gap() < 1s * support::sanitizer_slowdown);
    const auto peak = support::peak_rss_kib(server.pid());
    REQUIRE(peak);
    UNSCOPED_INFO("peak RSS " << *peak / 1024 << " MB, longest gap " << good.longest_gap().count() << " ms");
    if (!support::under_sanitizer) CHECK(*peak < 100 * 1024);
    CHECK_FALSE(server.wait_exit(0ms));
}

// The servers under test, each with a ticker-pub at 200 ticks/s feeding it.
struct ticker_feed {
    process pub{{TICKER_PUB, "--bind", "tcp://127.0.0.1:*", "--rate", "200"}};
    std::string endpoint = ready(pub, "publishing on");
};

struct ticker_proxy : ticker_feed {
    process proxy{{TICKER_PROXY, "--connect", endpoint, "--frontend-bind", "tcp://127.0.0.1:*", "--bind",
                   "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*"}};
    std::string publishers = ready(proxy, "publishers connect to");
    std::string subscribers = ready(proxy, "subscribers connect to");
};

struct query_server : ticker_feed {
    process server{{QUERY_SERVER, "--feed", endpoint, "--bind", "tcp://127.0.0.1:*", "--publish", "tcp://127.0.0.1:*"}};
    std::string updates = ready(server, "publishing updates on");
};

struct query_broker : ticker_feed {
    process broker{{QUERY_BROKER, "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*", "--publishers",
                    "tcp://127.0.0.1:*", "--updates", "tcp://127.0.0.1:*"}};
    std::string backend = ready(broker, "query-servers connect to");
    std::string publishers = ready(broker, "query-servers publish to");
    std::string updates = ready(broker, "clients subscribe to");
    process server{{QUERY_SERVER, "--feed", endpoint, "--connect", backend, "--publish-connect", publishers}};
    bool publishing = server.wait_for("publishing updates to the broker").has_value();
};

struct chat_server {
    process server{{CHAT_SERVER, "--bind", "tcp://127.0.0.1:*", "--publish", "tcp://127.0.0.1:*"}};
    std::string broadcasts = ready(server, "broadcasts on");
    std::string commands = ready(server, "commands on");
};

}  // namespace

TEST_CASE("ticker-pub: oversized subscriptions are refused and logged", "[hostile]")
{
    zmq::context_t ctx;
    ticker_feed t;
    check_refuses(t.pub, {{t.endpoint, "SUB"}}, [&] { return served(ctx, t.endpoint, ""); });
}

TEST_CASE("ticker-proxy: oversized subscriptions and ticks are refused and logged, on both sides", "[hostile]")
{
    zmq::context_t ctx;
    ticker_proxy t;
    check_refuses(t.proxy, {{t.subscribers, "SUB"}, {t.publishers, "PUB"}}, [&] { return served(ctx, t.subscribers, ""); });
}

TEST_CASE("query-server: oversized subscriptions are refused and logged", "[hostile]")
{
    zmq::context_t ctx;
    query_server q;
    check_refuses(q.server, {{q.updates, "SUB"}}, [&] { return served(ctx, q.updates, "sym:"); });
}

TEST_CASE("query-broker: oversized subscriptions and updates are refused and logged, on both sides", "[hostile]")
{
    zmq::context_t ctx;
    query_broker q;
    REQUIRE(q.publishing);
    check_refuses(q.broker, {{q.updates, "SUB"}, {q.publishers, "PUB"}}, [&] { return served(ctx, q.updates, "sym:"); });
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
    chat_server c;
    for (const auto size : {200u * 1024, 1024u * 1024, 10u * 1024 * 1024}) {
        send_oversized(c.broadcasts, "SUB", size);
        REQUIRE_FALSE(c.server.wait_exit(0ms));
    }
    INFO(c.server.output());
    CHECK(c.server.wait_for("was cut off for a message over"));
    CHECK(served(ctx, c.broadcasts, ""));  // the welcome message every new subscriber gets
}

TEST_CASE("ticker-proxy: a subscription flood is cut off, the proxy stays small and serves", "[hostile]")
{
    zmq::context_t ctx;
    ticker_proxy t;
    watcher good(ctx, t.subscribers, "");
    check_flood(t.proxy, t.subscribers, good);
}

TEST_CASE("ticker-proxy: many peers each under their limit are cut off when together over the total", "[hostile]")
{
    zmq::context_t ctx;
    ticker_proxy t;
    watcher good(ctx, t.subscribers, "");
    REQUIRE(good.served());
    // 8 peers of about 200 KiB each (the limits: 256 KiB per peer, 1 MiB in all):
    // the biggest go until the rest fit, which is 3 of them.
    std::vector<std::unique_ptr<support::raw_tcp>> peers;
    std::mt19937 random(7);
    for (int p = 0; p < 8; ++p) {
        auto& peer = peers.emplace_back(std::make_unique<support::raw_tcp>(t.subscribers));
        REQUIRE(zmtp_handshake(*peer, "SUB"));
        std::string bytes;
        for (int i = 0; i < 1000; ++i)
            bytes += zmtp_frame(distinct_subscription(std::to_string(p) + "/" + std::to_string(i) + ":", 200, random));
        (void)peer->send(bytes);  // the ones cut off may fail midway
    }
    INFO(t.proxy.output());
    REQUIRE(t.proxy.wait_for("the biggest when all were over the total"));
    int cut = 0;
    for (auto& peer : peers) cut += peer->closed_by_peer(cut >= 3 ? 200ms : 5s);
    CHECK(cut == 3);
    CHECK(good.longest_gap() < 1s * support::sanitizer_slowdown);
    CHECK_FALSE(t.proxy.wait_exit(0ms));
}

TEST_CASE("query-server: a subscription flood is cut off, the server stays small and serves", "[hostile]")
{
    zmq::context_t ctx;
    query_server q;
    watcher good(ctx, q.updates, "sym:");
    check_flood(q.server, q.updates, good);
}

TEST_CASE("query-broker: a subscription flood is cut off, the broker stays small and serves", "[hostile]")
{
    zmq::context_t ctx;
    query_broker q;
    REQUIRE(q.publishing);
    watcher good(ctx, q.updates, "sym:");
    check_flood(q.broker, q.updates, good);
}

TEST_CASE("chat-server: a subscription flood is cut off, the server stays small and serves", "[hostile]")
{
    zmq::context_t ctx;
    chat_server c;
    // Someone who talks ten times a second: what the good subscriber hears.
    process talker({CHAT_CLIENT, "--connect", c.commands, "--subscribe", c.broadcasts, "--handle", "talker", "--bot",
                    "--bot-interval", "0.1", "--quiet"});
    watcher good(ctx, c.broadcasts, "");
    check_flood(c.server, c.broadcasts, good);
}
