// chat-client: talks to a chat-server through a DEALER socket and listens on a SUB socket.
#include "chat.hpp"

int main(int argc, char** argv)
{
    chat::client_options opts;
    common::program prog("chat-client", "Chat client: type to talk, or pipe lines in; reconnects by itself (Example 3).");
    chat::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        chat::run_client(ctx, opts, stop);
    });
}
