import CGSL

/// GSL's default error handler aborts the process; gradfuzz reads status codes instead.
/// Evaluated once, by the first caller of GSL.
package let gslErrorHandlerOff: Void = { _ = gsl_set_error_handler_off() }()
