// The one part of GNU GSL that gradfuzz uses: numerical differentiation.
#include <gsl/gsl_errno.h>
#include <gsl/gsl_deriv.h>
