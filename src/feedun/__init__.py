"""feedun: a command-line arrears toolkit for Chinese property-management companies."""

__version__ = "0.1.0"
