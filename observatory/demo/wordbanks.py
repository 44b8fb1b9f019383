"""Word banks and place-kind profiles behind the synthetic demo data (data only, no logic)."""

from __future__ import annotations

from dataclasses import dataclass

# The nine `services` of the national places schema v1.0.2, in the schema's order: the
# questionnaire's `motif` options carry the same labels, which is how answers map to places.
SERVICES: tuple[str, ...] = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)

MODALITES_ACCOMPAGNEMENT: tuple[str, ...] = (
    "En autonomie",
    "Accompagnement individuel",
    "Dans un atelier collectif",
    "À distance",
)


@dataclass(frozen=True)
class PlaceKind:
    """A kind of place: how often it occurs by commune size, what it is called and offers.

    `weights` are relative frequencies in (rural < 2,000 inhabitants, small town < 20,000,
    city); `variants` pair a name template ({de} = "de Reims", "d'Angers", "du Mans") with
    the data.inclusion typologie codes that go with that name; `services` weights follow
    SERVICES; `dispositifs` give the probability of each national programme.
    """

    key: str
    weights: tuple[float, float, float]
    variants: tuple[tuple[str, str], ...]
    services: tuple[float, ...]
    dispositifs: tuple[tuple[str, float], ...]
    resumes: tuple[str, ...]
    parent: str = ""
    itinerant: float = 0.0
    collective: float = 0.5
    self_service: float = 0.3


KINDS: tuple[PlaceKind, ...] = (
    PlaceKind(
        key="mediatheque",
        weights=(0.20, 0.20, 0.14),
        variants=(
            ("Médiathèque {de}", "BIB"),
            ("Médiathèque {figure}", "BIB|MUNI"),
            ("Bibliothèque municipale {de}", "BIB|MUNI"),
            ("Médiathèque intercommunale {figure}", "BIB|EPCI"),
        ),
        services=(3, 8, 1, 4, 2, 6, 5, 7, 0.2),
        dispositifs=(
            ("Conseillers numériques", 0.45),
            ("Aidants Connect", 0.10),
            ("Bibliothèques numérique de référence", 0.08),
            ("Certification PIX", 0.05),
        ),
        resumes=(
            "La médiathèque propose des ordinateurs en libre accès et des ateliers numériques "
            "pour tous les âges.",
            "Un conseiller numérique vous accompagne sur rendez-vous ou lors des permanences "
            "du mercredi et du samedi.",
        ),
        parent="Commune {de}",
        self_service=0.6,
    ),
    PlaceKind(
        key="france_services",
        weights=(0.20, 0.16, 0.07),
        variants=(
            ("France Services {de}", "RFS"),
            ("Maison France Services {de}", "RFS|MUNI"),
            ("Espace France Services {de}", "RFS|EPCI"),
            ("France Services {de} – bureau de poste", "RFS|LA_POSTE"),
        ),
        services=(10, 6, 3, 3, 1, 0.2, 1, 4, 0.2),
        dispositifs=(
            ("France Services", 1.0),
            ("Aidants Connect", 0.6),
            ("Conseillers numériques", 0.4),
        ),
        resumes=(
            "Un guichet unique pour vos démarches administratives : impôts, retraite, CAF, "
            "santé, emploi, carte grise.",
            "Les agents France Services vous aident à réaliser vos démarches en ligne et à "
            "utiliser les services publics numériques.",
        ),
        parent="Communauté de communes",
        collective=0.25,
        self_service=0.4,
    ),
    PlaceKind(
        key="epn",
        weights=(0.09, 0.12, 0.11),
        variants=(
            ("Espace public numérique {de}", "EPN|MUNI"),
            ("EPN {de}", "EPN"),
            ("Cyberbase {de}", "EPN|EPCI"),
            ("Espace numérique {figure}", "EPN|MUNI"),
        ),
        services=(4, 9, 3, 6, 2, 6, 6, 7, 0.5),
        dispositifs=(
            ("Conseillers numériques", 0.5),
            ("Certification PIX", 0.15),
            ("Aidants Connect", 0.15),
        ),
        resumes=(
            "Ateliers d'initiation à l'ordinateur, à la tablette et au smartphone, en petits "
            "groupes ou en rendez-vous individuel.",
            "Postes informatiques en accès libre, impressions et accompagnement par un "
            "animateur multimédia.",
        ),
        parent="Commune {de}",
        collective=0.75,
        self_service=0.6,
    ),
    PlaceKind(
        key="tiers_lieu",
        weights=(0.05, 0.07, 0.09),
        variants=(
            ("Tiers-lieu {tiers_lieu}", "TIERS_LIEUX"),
            ("{tiers_lieu} – tiers-lieu numérique", "TIERS_LIEUX|ASSO"),
            ("Fablab {tiers_lieu}", "TIERS_LIEUX|FABLAB"),
        ),
        services=(1, 5, 5, 3, 2, 9, 7, 5, 2),
        dispositifs=(("Conseillers numériques", 0.35), ("Grande école du numérique", 0.05)),
        resumes=(
            "Un lieu ouvert pour apprendre, créer et travailler ensemble : ateliers, "
            "fablab, coworking et accompagnement numérique.",
            "Tiers-lieu associatif : cafés numériques, initiation à la fabrication numérique "
            "et permanences d'aide.",
        ),
        collective=0.85,
        self_service=0.5,
    ),
    PlaceKind(
        key="centre_social",
        weights=(0.03, 0.08, 0.12),
        variants=(
            ("Centre social {quartier}", "CS"),
            ("Centre socioculturel {de}", "CSC"),
            ("Espace de vie sociale {quartier}", "EVS|ASSO"),
        ),
        services=(7, 7, 4, 3, 6, 2, 2, 4, 0.5),
        dispositifs=(
            ("Conseillers numériques", 0.45),
            ("Point d'accès numérique CAF", 0.3),
            ("Promeneurs du net", 0.15),
            ("Aidants Connect", 0.2),
        ),
        resumes=(
            "Le centre social accueille les habitants du quartier pour les démarches en ligne, "
            "l'accompagnement des familles et des ateliers numériques.",
            "Permanences numériques et ateliers parents-enfants autour des écrans.",
        ),
        parent="Caisse d'allocations familiales",
        collective=0.65,
    ),
    PlaceKind(
        key="ccas",
        weights=(0.04, 0.09, 0.09),
        variants=(
            ("CCAS {de}", "CCAS"),
            ("Centre communal d'action sociale {de}", "CCAS"),
            ("CIAS {de}", "CIAS"),
        ),
        services=(9, 7, 2, 3, 2, 0.3, 1, 4, 1),
        dispositifs=(
            ("Aidants Connect", 0.5),
            ("Conseillers numériques", 0.4),
            ("Point d'accès numérique CAF", 0.15),
        ),
        resumes=(
            "Le CCAS vous accompagne dans vos démarches en ligne et l'accès à vos droits.",
            "Permanence numérique pour les démarches sociales, sur rendez-vous.",
        ),
        parent="Commune {de}",
        collective=0.2,
        self_service=0.15,
    ),
    PlaceKind(
        key="mairie",
        weights=(0.20, 0.06, 0.02),
        variants=(
            ("Point numérique de la mairie {de}", "MUNI"),
            ("Mairie {de} – espace numérique", "MUNI"),
            ("Agence postale communale {de}", "LA_POSTE|MUNI"),
        ),
        services=(8, 6, 1, 2, 1, 1, 1, 6, 0.2),
        dispositifs=(("Conseillers numériques", 0.35), ("Aidants Connect", 0.25)),
        resumes=(
            "Un ordinateur et une aide ponctuelle pour vos démarches, aux heures d'ouverture "
            "de la mairie.",
            "Permanence d'un conseiller numérique une demi-journée par semaine.",
        ),
        parent="Commune {de}",
        collective=0.2,
        self_service=0.4,
    ),
    PlaceKind(
        key="association",
        weights=(0.06, 0.09, 0.16),
        variants=(("{association}", "ASSO"), ("{association} {de}", "ASSO")),
        services=(5, 8, 5, 5, 3, 4, 5, 4, 1),
        dispositifs=(
            ("Conseillers numériques", 0.45),
            ("Aidants Connect", 0.2),
            ("Emmaüs Connect", 0.04),
            ("La Croix Rouge", 0.03),
            ("Promeneurs du net", 0.05),
        ),
        resumes=(
            "Notre association accompagne les personnes éloignées du numérique, en individuel "
            "et en ateliers collectifs.",
            "Initiation à l'informatique pour les seniors et les demandeurs d'emploi, dans une "
            "ambiance conviviale.",
        ),
        collective=0.7,
    ),
    PlaceKind(
        key="ressourcerie",
        weights=(0.01, 0.02, 0.04),
        variants=(
            ("Ressourcerie numérique {de}", "RESSOURCERIE|ASSO"),
            ("Atelier de reconditionnement {tiers_lieu}", "RESSOURCERIE|ESS"),
        ),
        services=(1, 4, 2, 2, 1, 1, 2, 7, 10),
        dispositifs=(("Conseillers numériques", 0.2), ("Emmaüs Connect", 0.1)),
        resumes=(
            "Ordinateurs et smartphones reconditionnés à prix solidaire, avec une prise en main "
            "accompagnée.",
        ),
        collective=0.3,
    ),
    PlaceKind(
        key="pimms",
        weights=(0.0, 0.02, 0.05),
        variants=(
            ("PIMMS Médiation {commune}", "PIMMS"),
            ("Point information médiation {de}", "PIMMS"),
        ),
        services=(10, 6, 3, 3, 2, 0.2, 1, 4, 0.5),
        dispositifs=(
            ("France Services", 0.3),
            ("Aidants Connect", 0.5),
            ("Conseillers numériques", 0.4),
        ),
        resumes=(
            "Médiation sociale et numérique : factures, énergie, transports, démarches en ligne.",
        ),
        collective=0.2,
    ),
    PlaceKind(
        key="mjc",
        weights=(0.02, 0.05, 0.07),
        variants=(("MJC {de}", "MJC|ASSO"), ("Maison de quartier {quartier}", "MQ")),
        services=(2, 6, 4, 5, 5, 8, 6, 4, 0.3),
        dispositifs=(("Promeneurs du net", 0.35), ("Conseillers numériques", 0.35)),
        resumes=(
            "Ateliers numériques pour les jeunes et les familles : création, jeux vidéo, "
            "sécurité en ligne.",
        ),
        collective=0.8,
    ),
    PlaceKind(
        key="bus",
        weights=(0.10, 0.04, 0.01),
        variants=(
            ("Bus numérique itinérant {de}", "ENM"),
            ("Bus numérique {de}", "ENM|CC"),
            ("Camion connecté {de}", "ENM|EPCI"),
            ("Bus France Services {de}", "ENM|RFS"),
        ),
        services=(8, 7, 2, 4, 2, 1, 2, 5, 0.3),
        dispositifs=(
            ("Conseillers numériques", 0.6),
            ("Aidants Connect", 0.3),
            ("France Services", 0.2),
        ),
        resumes=(
            "Le bus numérique sillonne les communes rurales : aide aux démarches et initiation, "
            "sur la place du village.",
        ),
        parent="Conseil départemental",
        itinerant=1.0,
        collective=0.3,
        self_service=0.1,
    ),
)

FIGURES: tuple[str, ...] = (
    "Jules Verne", "Louise Michel", "Simone Veil", "Victor Hugo", "Aimé Césaire", "Colette",
    "George Sand", "Jean de La Fontaine", "Albert Camus", "Marie Curie", "Émile Zola",
    "Marguerite Yourcenar", "Jacques Prévert", "Antoine de Saint-Exupéry", "Olympe de Gouges",
    "Paul Éluard", "Frantz Fanon", "Gisèle Halimi", "Boris Vian", "Françoise Sagan",
)  # fmt: skip

QUARTIERS: tuple[str, ...] = (
    "Les Tilleuls", "Le Bourg", "La Gare", "Les Glycines", "Centre-ville", "Les Peupliers",
    "Le Moulin", "Les Acacias", "La Fontaine", "Les Érables", "Le Plateau", "Les Chênes",
    "La Roseraie", "Les Hauts", "Le Port", "Saint-Jean",
)  # fmt: skip

TIERS_LIEUX: tuple[str, ...] = (
    "La Fabrique", "L'Atelier partagé", "La Quincaillerie", "Le Hangar", "La Cordée", "Le Bocal",
    "La Grange numérique", "L'Usine à idées", "La Ruche", "Le Comptoir", "La Forge", "Le Labo",
    "La Verrière", "L'Établi", "La Manufacture",
)  # fmt: skip

ASSOCIATIONS: tuple[str, ...] = (
    "Association Clic et Lien", "Atout Numérique", "Numérique pour tous", "Les Connectés",
    "Association Trait d'union numérique", "Pas à pas numérique", "Solidarité Informatique",
    "Association Souris Verte", "Génération Connectée", "Cyber Entraide", "Les Passeurs du Net",
    "Association Octet Solidaire", "Lien Numérique et Social", "Association Bien Connectés",
)  # fmt: skip

VOIES: tuple[str, ...] = (
    "rue de la Mairie", "place de l'Église", "rue Victor Hugo", "avenue Jean Jaurès",
    "rue de la République", "place du Marché", "rue Pasteur", "boulevard Gambetta",
    "rue des Écoles", "allée des Tilleuls", "rue du Général de Gaulle", "place de la Liberté",
    "rue Jules Ferry", "chemin des Vignes", "rue de la Gare", "avenue de la Libération",
    "rue du Moulin", "Grande Rue", "rue Nationale", "rue des Lilas", "place Jean Moulin",
    "rue Anatole France", "avenue du 8 Mai 1945", "rue de l'Hôtel de Ville",
)  # fmt: skip

COMPLEMENTS: tuple[str, ...] = (
    "Rez-de-chaussée", "1er étage", "Bâtiment B", "Entrée par la cour", "Salle polyvalente",
    "Dans les locaux de la mairie", "Porte 2", "À côté de la poste",
)  # fmt: skip

HORAIRES_FIXES: tuple[str, ...] = (
    "Mo-Fr 09:00-12:00,14:00-17:30",
    "Tu-Sa 10:00-12:30,14:00-18:00",
    "Mo,We,Fr 14:00-17:00",
    "Tu,Th 09:00-12:00; Sa 09:00-12:00",
    "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00",
    "We 10:00-12:00,14:00-18:00; Sa 10:00-17:00",
)
HORAIRES_ITINERANTS: tuple[str, ...] = (
    "Tu 09:00-12:00; Th 14:00-17:00",
    "Mo,We 09:30-12:30",
    "We 14:00-17:00; Fr 09:00-12:00",
)

PUBLICS: tuple[str, ...] = (
    "Seniors", "Jeunes", "Familles et/ou enfants", "Seniors|Familles et/ou enfants", "Étudiants",
    "Femmes", "Jeunes|Étudiants",
)  # fmt: skip
PRISES_EN_CHARGE: tuple[str, ...] = (
    "Handicaps moteurs", "Illettrisme", "Surdité", "Déficience visuelle", "Handicaps mentaux",
    "Langues étrangères (anglais)", "Langues étrangères (autres)",
    "Illettrisme|Langues étrangères (autres)",
)  # fmt: skip
MODALITES_ACCES: tuple[tuple[str, float], ...] = (
    ("Se présenter|Téléphoner", 0.35),
    ("Se présenter", 0.2),
    ("Téléphoner|Prendre un RDV en ligne", 0.15),
    ("Se présenter|Téléphoner|Contacter par mail", 0.2),
    ("Prendre un RDV en ligne", 0.1),
)
FRAIS: tuple[tuple[str, float], ...] = (
    ("Gratuit", 0.82),
    ("Gratuit sous condition", 0.1),
    ("Gratuit|Payant", 0.08),
)
# Regional labels of the schema's `formations_labels`, by region code (INSEE COG).
REGIONAL_LABELS: dict[str, str] = {
    "27": "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
    "28": "Collectif ressources et acteurs réemploi (Normandie)",
    "93": "SUD LABS (PACA)",
}
NATIONAL_LABELS: tuple[str, ...] = (
    "Formé à « Mon Espace Santé »",
    "Formé à « DUPLEX » (illettrisme)",
)

# First digit after +33 by region (01 Île-de-France … 05 south-west): landlines look local.
PHONE_ZONE: dict[str, str] = {
    "11": "1", "24": "2", "28": "2", "52": "2", "53": "2", "27": "3", "32": "3", "44": "3",
    "84": "4", "93": "4", "94": "4", "75": "5", "76": "5",
}  # fmt: skip
# Overseas: (country code, local prefix, digits after the prefix).
PHONE_OVERSEAS: dict[str, tuple[str, str, int]] = {
    "971": ("+590", "590", 6),
    "972": ("+596", "596", 6),
    "973": ("+594", "594", 6),
    "974": ("+262", "262", 6),
    "975": ("+508", "41", 4),
    "976": ("+262", "269", 6),
    "977": ("+590", "590", 6),
    "978": ("+590", "590", 6),
    "986": ("+681", "72", 4),
    "987": ("+689", "40", 6),
    "988": ("+687", "2", 5),
}

# Free-text answers to "Qu'est-ce qui pourrait être amélioré ?", by tone. No names, no contact
# details: the demo must never show what the scrubber is there to remove.
COMMENTS_PRAISE: tuple[str, ...] = (
    "Rien, tout était parfait, merci beaucoup.",
    "Très bon accueil, la conseillère a été très patiente avec moi.",
    "Merci, j'ai enfin pu faire ma déclaration d'impôts.",
    "Personne très gentille qui explique bien, sans aller trop vite.",
    "Rien à améliorer, je reviendrai.",
    "Super service, continuez comme ça.",
    "On m'a expliqué avec des mots simples, j'ai tout compris.",
    "Grâce à vous j'ai mon compte Ameli, merci.",
    "Accompagnement au top, bravo à toute l'équipe.",
    "Je me sens moins perdue avec mon téléphone maintenant.",
    "Très content, le médiateur a pris le temps.",
    "Merci pour votre aide et votre bonne humeur.",
)
COMMENTS_SUGGESTION: tuple[str, ...] = (
    "Plus d'ateliers sur le smartphone, s'il vous plaît.",
    "Ce serait bien de pouvoir prendre rendez-vous par téléphone.",
    "Ouvrir aussi le samedi matin pour ceux qui travaillent.",
    "Des ateliers pour apprendre à faire les visios avec la famille.",
    "Avoir une fiche papier pour refaire les étapes à la maison.",
    "Proposer des séances en arabe ou en anglais.",
    "Un atelier sur les arnaques par SMS serait utile.",
    "Plus de créneaux le soir après 18 h.",
    "Faire des ateliers pour les enfants pendant les vacances.",
    "Il faudrait plus de conseillers, il y a beaucoup de monde.",
    "Pouvoir venir sans rendez-vous plus souvent.",
    "Des cours pour débutants complets, à un rythme plus lent.",
    "Expliquer comment trier ses mails et ses photos.",
    "Mettre des horaires plus clairs sur la porte.",
)
COMMENTS_COMPLAINT: tuple[str, ...] = (
    "Trop d'attente, j'ai attendu plus d'une heure.",
    "L'imprimante ne marchait pas, j'ai dû revenir.",
    "Les horaires d'ouverture sont trop courts.",
    "Difficile d'obtenir un rendez-vous, il faut attendre trois semaines.",
    "Le wifi ne fonctionnait pas.",
    "L'accès en fauteuil roulant est compliqué, il y a des marches.",
    "C'était trop rapide, je n'ai pas tout compris.",
    "Pas assez de place, on entend tout ce que disent les autres.",
    "Les ordinateurs sont très lents.",
    "On m'a renvoyé vers un autre service sans m'aider.",
    "Pas de parking à proximité.",
    "Le site des impôts ne marchait pas, on n'a rien pu faire.",
    "Il fait trop froid dans la salle l'hiver.",
)
