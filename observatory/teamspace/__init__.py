"""What a team keeps in its space: comments dealt with, "nous avons fait", yearly notes, digest
addresses. Services take a Session; the Dash pages and the CLI call them."""
