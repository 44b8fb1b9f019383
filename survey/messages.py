"""Messages of the form that are not in templates (French source; translated at display)."""

from survey.i18n import N_

ERROR_MESSAGES = {
    "required": N_("Merci de choisir une réponse à cette question."),
    "invalid_choice": N_("Cette réponse ne fait pas partie de la liste. Choisissez-en une autre."),
    "single_choice": N_("Choisissez une seule réponse."),
    "too_long": N_("Votre texte est trop long : 1 000 caractères au plus."),
}

NOTICES = {
    "too_fast": N_(
        "Vous avez répondu très vite. Vérifiez vos réponses, puis appuyez de nouveau sur Envoyer."
    ),
    "expired": N_(
        "Ce formulaire était ouvert depuis longtemps. Vos réponses sont gardées : "
        "vérifiez-les, puis appuyez de nouveau sur Envoyer."
    ),
    "unavailable": N_(
        "Le service est momentanément indisponible. Vos réponses sont gardées : "
        "appuyez de nouveau sur Envoyer dans quelques instants."
    ),
    "already_sent": N_(
        "Ce formulaire a déjà été envoyé avec d'autres réponses. Votre premier envoi est "
        "enregistré : merci !"
    ),
    "rate_limited": N_(
        "Beaucoup de réponses viennent d'être envoyées depuis ce réseau. Vos réponses sont "
        "gardées : réessayez dans quelques minutes."
    ),
}
