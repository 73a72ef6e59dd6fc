//! Behaviour tests of carafe-wrappers, one module per area.
