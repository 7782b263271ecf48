#ifndef CMALLOCSHIM_H
#define CMALLOCSHIM_H

/* glibc's malloc tuning, which Swift's Glibc module does not import (malloc.h). Elsewhere
   these do nothing. */

/* Fixes the mmap threshold (and the trim threshold at four times it). */
void cmalloc_set_mmap_threshold(int bytes);
/* Returns freed heap memory to the system (malloc_trim(0)). */
void cmalloc_trim(void);

#endif
