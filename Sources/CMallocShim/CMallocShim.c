#include "CMallocShim.h"

#if defined(__linux__)
#include <malloc.h>

void cmalloc_set_mmap_threshold(int bytes) {
    mallopt(M_MMAP_THRESHOLD, bytes);
    mallopt(M_TRIM_THRESHOLD, 4 * bytes);
}

void cmalloc_trim(void) {
    malloc_trim(0);
}
#else
void cmalloc_set_mmap_threshold(int bytes) { (void)bytes; }
void cmalloc_trim(void) {}
#endif
