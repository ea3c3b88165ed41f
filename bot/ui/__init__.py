"""Discord-facing presentation: messages, embeds, views and modals."""
