"""Monthly packaging-account statements: closing a month, confirmations, disputes and their evidence."""
