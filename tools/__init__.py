"""Plain helpers that models and services share: messages, payloads, row locks, system
parameters. They import nothing from models/ or services/."""
