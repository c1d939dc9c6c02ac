#include <stdio.h>

#include "gradfuzz_system.h"

void gradfuzz_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
