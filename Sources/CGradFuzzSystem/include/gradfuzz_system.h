#ifndef GRADFUZZ_SYSTEM_H
#define GRADFUZZ_SYSTEM_H

/// Makes C's stdout (which Swift's print writes through) line-buffered even into a file or a pipe.
void gradfuzz_line_buffer_stdout(void);

#endif
