package io.switchd.vhost;

/**
 * The numbers of the vhost-user protocol (QEMU's docs/interop/vhost-user.rst): front-end request
 * ids and protocol feature bits, with names for log lines.
 */
public final class VhostUserProtocol {
    public static final int GET_FEATURES = 1;
    public static final int SET_FEATURES = 2;
    public static final int SET_OWNER = 3;
    public static final int RESET_OWNER = 4;
    public static final int SET_MEM_TABLE = 5;
    public static final int SET_LOG_BASE = 6;
    public static final int SET_LOG_FD = 7;
    public static final int SET_VRING_NUM = 8;
    public static final int SET_VRING_ADDR = 9;
    public static final int SET_VRING_BASE = 10;
    public static final int GET_VRING_BASE = 11;
    public static final int SET_VRING_KICK = 12;
    public static final int SET_VRING_CALL = 13;
    public static final int SET_VRING_ERR = 14;
    public static final int GET_PROTOCOL_FEATURES = 15;
    public static final int SET_PROTOCOL_FEATURES = 16;
    public static final int GET_QUEUE_NUM = 17;
    public static final int SET_VRING_ENABLE = 18;
    public static final int SET_BACKEND_REQ_FD = 21;
    public static final int GET_CONFIG = 24;
    public static final int SET_CONFIG = 25;
    public static final int GET_MAX_MEM_SLOTS = 36;
    public static final int ADD_MEM_REG = 37;
    public static final int REM_MEM_REG = 38;

    /** Protocol feature VHOST_USER_PROTOCOL_F_MQ: GET_QUEUE_NUM. */
    public static final int F_MQ = 0;
    /** Protocol feature LOG_SHMFD (dirty logging for migration): not offered. */
    public static final int F_LOG_SHMFD = 1;
    /** Protocol feature REPLY_ACK: need_reply asks for a u64 success/failure answer. */
    public static final int F_REPLY_ACK = 3;
    /** Protocol feature BACKEND_REQ (SLAVE_REQ): the back-end's own channel; not offered. */
    public static final int F_BACKEND_REQ = 5;
    /** Protocol feature CONFIG (GET_CONFIG/SET_CONFIG): not offered. */
    public static final int F_CONFIG = 9;
    /** Protocol feature CONFIGURE_MEM_SLOTS: GET_MAX_MEM_SLOTS, ADD_MEM_REG, REM_MEM_REG. */
    public static final int F_CONFIGURE_MEM_SLOTS = 15;

    /** The protocol features the session can carry out; the backend's offer is cut down to these. */
    public static final long SUPPORTED_PROTOCOL_FEATURES = (1L << F_MQ) | (1L << F_REPLY_ACK) | (1L << F_CONFIGURE_MEM_SLOTS);

    private static final String[] NAMES = {
        null, "GET_FEATURES", "SET_FEATURES", "SET_OWNER", "RESET_OWNER", "SET_MEM_TABLE", "SET_LOG_BASE",
        "SET_LOG_FD", "SET_VRING_NUM", "SET_VRING_ADDR", "SET_VRING_BASE", "GET_VRING_BASE", "SET_VRING_KICK",
        "SET_VRING_CALL", "SET_VRING_ERR", "GET_PROTOCOL_FEATURES", "SET_PROTOCOL_FEATURES", "GET_QUEUE_NUM",
        "SET_VRING_ENABLE", "SEND_RARP", "NET_SET_MTU", "SET_BACKEND_REQ_FD", "IOTLB_MSG", "SET_VRING_ENDIAN",
        "GET_CONFIG", "SET_CONFIG", "CREATE_CRYPTO_SESSION", "CLOSE_CRYPTO_SESSION", "POSTCOPY_ADVISE",
        "POSTCOPY_LISTEN", "POSTCOPY_END", "GET_INFLIGHT_FD", "SET_INFLIGHT_FD", "GPU_SET_SOCKET", "RESET_DEVICE",
        "VRING_KICK", "GET_MAX_MEM_SLOTS", "ADD_MEM_REG", "REM_MEM_REG", "SET_STATUS", "GET_STATUS",
    };

    private VhostUserProtocol() {}

    /** The request's name and number for a log line, e.g. "SET_MEM_TABLE (5)". */
    public static String requestName(int request) {
        String name = request > 0 && request < NAMES.length ? NAMES[request] : null;
        return (name != null ? name : "unknown request") + " (" + Integer.toUnsignedString(request) + ")";
    }
}
