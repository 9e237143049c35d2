// The CANLog module; see DESIGN.md. Its types arrive with the issue that builds it.
