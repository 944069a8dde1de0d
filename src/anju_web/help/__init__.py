"""帮助: the 操作手册 per role and the installation/operations guide, served under /help/ and built as a PDF."""
