// CMSG_* are macros over pointer arithmetic; Swift cannot import them, so they are wrapped here once.
#include "CLinuxCAN.h"
#include <string.h>

size_t cardiag_cmsg_space_timespec(void) {
    return CMSG_SPACE(sizeof(struct timespec));
}

size_t cardiag_cmsg_space_receive(void) {
    return CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(uint32_t));
}

int cardiag_cmsg_timestamp(const struct msghdr *message, struct timespec *timestamp) {
    for (struct cmsghdr *header = CMSG_FIRSTHDR((struct msghdr *)message); header != NULL;
         header = CMSG_NXTHDR((struct msghdr *)message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS
            && header->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            memcpy(timestamp, CMSG_DATA(header), sizeof(struct timespec));
            return 1;
        }
    }
    return 0;
}

int cardiag_cmsg_dropped(const struct msghdr *message, uint32_t *dropped) {
    for (struct cmsghdr *header = CMSG_FIRSTHDR((struct msghdr *)message); header != NULL;
         header = CMSG_NXTHDR((struct msghdr *)message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SO_RXQ_OVFL
            && header->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
            memcpy(dropped, CMSG_DATA(header), sizeof(uint32_t));
            return 1;
        }
    }
    return 0;
}
