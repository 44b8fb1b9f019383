"""Plain-language error messages of the form (French; catalogues come with the full form)."""

ERROR_MESSAGES = {
    "required": "Merci de choisir une réponse à cette question.",
    "invalid_choice": "Cette réponse ne fait pas partie de la liste. Choisissez-en une autre.",
    "single_choice": "Choisissez une seule réponse.",
    "too_long": "Votre texte est trop long : 1 000 caractères au plus.",
}
