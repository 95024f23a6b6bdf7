// chat-gateway: lets people without ZeroMQ join the chat over plain TCP (nc, telnet) via a STREAM socket.
#include <sys/resource.h>

#include "chat.hpp"

int main(int argc, char** argv)
{
    // Every TCP person is a file descriptor, and each with a handle two more:
    // allow as many files as the system lets us.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    chat::gateway_options opts;
    common::program prog("chat-gateway", "Bridges plain TCP (nc HOST 5572) into the chat through a STREAM socket (Example 3).");
    chat::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        chat::run_gateway(ctx, opts, stop);
    });
}
