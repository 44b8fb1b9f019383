"""The word lists the detectors consult (all folded: lower case, no accents). Pure data."""

from __future__ import annotations

from typing import Final

from observatory.responses.scrub.text import fold, word_set

# Common given names (folded). A compound ("Jean-Pierre") is a first name when all its
# parts are. Kept to names that are not also everyday French words, except those listed
# in LOWER_AMBIGUOUS / CAP_AMBIGUOUS below.
FIRST_NAMES: Final = word_set(
    """
    marie jeanne francoise monique catherine nathalie isabelle sylvie martine christine
    jacqueline anne nicole veronique sandrine christiane valerie sophie stephanie celine
    chantal patricia brigitte michele michelle sandra laurence aurelie julie annie josiane
    corinne nadine elisabeth elizabeth karine emilie helene camille laetitia claudine emma
    manon lea chloe ines sarah lucie louise alice jade lina rose anna juliette zoe ambre
    julia lola mila clara louna eva romane agathe charlotte margaux mathilde pauline marion
    audrey caroline virginie delphine florence severine fabienne carole beatrice evelyne
    ginette huguette yvette odette simone germaine paulette raymonde lucienne colette
    denise suzanne madeleine marcelle renee georgette gisele jeannine janine josette
    danielle daniele arlette bernadette genevieve therese yvonne marguerite solange
    mireille annick armelle gilberte irene micheline rolande roselyne liliane lucette
    rosette lysiane josee joelle maryse murielle muriel myriam nadege noemie oceane ophelie
    pascale regine sabine solene sylviane valentine vanessa victoria viviane yolande albane
    alexandra alexia alicia amandine amelie anais angelique annette antoinette apolline
    ariane astrid axelle barbara blandine capucine cecile celia charlene clarisse claudia
    clemence colombe coralie cynthia dorothee edith eliane eloise elodie elsa emeline
    estelle eugenie fanny flora francine gaelle geraldine ghislaine gwenaelle heloise
    hortense ingrid jessica jocelyne johanna judith justine laura laure laurine leila
    leonie lise lisa louisa ludivine lydie maelle maeva magali manuela margot marianne
    marine marjorie marlene maud maude melanie melissa mylene nadia natacha nelly nina
    noelle oriane paola perrine priscilla rachel rebecca rosalie roxane salome sonia stella
    tatiana tiphaine vera violaine wendy yasmine yasmina jasmine berthe blanche celestine
    clotilde eugenie leontine marthe mathilde octavie pierrette raymonde reine rosine
    yolaine ghislaine lucile lucille aline alix anne-marie annabelle bettina carla cindy
    daisy emmanuelle eve fabienne florine gabrielle gwendoline jennifer joanna jordane
    karen katia kelly laurie leslie lou maelys mallaury marina nathalie nelly noa oceane
    prisca rosa salome samantha severine sylvia tania yvelise zelie
    fatima fatma khadija aicha aisha amina malika samia samira karima naima najat nora
    yamina farida houria zohra zineb meriem salma hanane hafsa imane ikram kenza nour rania
    sabrina souad zahra bouchra latifa nabila nadira rachida saida sakina yousra zoubida
    fatou aminata awa mariam mariama kadiatou binta coumba aissatou oumou djeneba ndeye
    khady astou halima hawa maimouna ramatou safiatou
    olena oksana natalia olga svetlana irina tetiana anastasia yulia iryna nataliya ludmila
    maria ana carmen luisa isabel fernanda teresa conceicao graca dolores pilar
    jean pierre michel philippe alain nicolas christophe patrick daniel bernard eric
    frederic laurent stephane david pascal thierry jacques sebastien julien francois
    olivier didier dominique christian gerard andre rene claude marcel louis paul robert
    georges henri roger maurice raymond lucien fernand gaston albert emile jules leon guy
    yves serge gilles marc vincent antoine alexandre thomas guillaume maxime romain kevin
    jeremy anthony jonathan mickael michael cedric fabrice franck bruno joel herve yannick
    arnaud benoit bertrand cyril cyrille damien denis emmanuel fabien florian gregory
    jerome ludovic mathieu matthieu mathias morgan nathan lucas hugo enzo gabriel raphael
    arthur adam noah ethan tom theo mael sacha nolan timeo axel baptiste victor martin
    clement quentin valentin alexis adrien antonin benjamin bastien corentin dylan florent
    gael gaetan jordan loic marius mathis matteo noe oscar remi robin samuel simon sylvain
    tristan xavier yann yanis yoann william armand edmond eugene felix firmin gustave
    octave prosper roland ernest hubert gilbert norbert lionel jacky jose manuel antonio
    joao carlos fernando francisco luis miguel paulo pedro rui jeremie joseph josue luc
    mathurin benoit etienne gregoire hippolyte hector ignace lazare leopold lucien marcelin
    marceau narcisse pascal patrice regis rodolphe serge thibault thibaut tanguy ulysse
    valery wilfried jean-pierre jean-claude jean-luc jean-marc jean-michel
    mohamed mohammed mohamad ahmed ali karim rachid samir farid mehdi yassine sofiane nabil
    said khaled hassan hocine kamel mourad mustapha abdel abdelkader abdallah abdoulaye
    mamadou moussa ibrahima ousmane seydou boubacar amadou cheikh modou souleymane issa
    idrissa bakary kader omar youssef younes bilal hamza ilyes ismael ayoub walid malik
    nassim redouane djamel hakim slimane tarek yacine zinedine brahim driss hamid lahcen
    mounir nordine rachide reda salah tahar toufik
    claire constance prudence victoire grace max sam noel florence nancy aude aimee desire
    ange reine violette olive aurore celeste modeste
    ivan dmytro oleksandr andriy mykola sergei sergey vladimir igor yuri bogdan taras
    adrian julian damian brian fabian sebastian kilian killian vivian lilian marian
    """
)
# First names that are ordinary words in lower case ("un jean", "la marine"): only
# recognised when capitalised.
LOWER_AMBIGUOUS: Final = word_set(
    """
    jean pierre marc rose claire olive ange blanche constance prudence victoire marine
    jade ambre romane charlotte madeleine marguerite rosette violette capucine colombe
    oceane celeste aurore clemence clement maxime romain olivier manuel serge pascal noel
    marie reine eve florence france grace patience salome stella mila lou noa modeste
    anis victor martin robin denis jules louis guy
    """
)
# … and those that are common at the start of a sentence or name a place or a brand:
# only recognised after a trigger ("merci à Claire").
CAP_AMBIGUOUS: Final = word_set(
    """
    claire constance prudence victoire grace patience juste max sam noel florence nancy
    lourdes valence vienne lorraine orange alexa france aude avril modeste aimee desire
    ange reine
    """
)
# Frequent surnames, so that "merci a sophie durand" (all lower case) loses the surname too.
SURNAMES: Final = word_set(
    """
    martin bernard thomas robert richard durand dubois moreau laurent simon michel
    lefebvre leroy david bertrand morel fournier girard bonnet dupont lambert fontaine
    rousseau vincent muller lefevre faure andre mercier guerin boyer garnier chevalier
    francois legrand gauthier garcia perrin robin clement morin nicolas henry roussel
    mathieu gautier masson marchand duval dumont lemaire meyer dufour meunier blanchard
    giraud barbier arnaud martinez gerard renaud dumas lacroix bourgeois leclerc payet
    hoarau grondin nguyen diallo traore diop ndiaye haddad benali cohen lopez fernandes
    rodrigues pereira ferreira martins gomes sanchez perez gonzalez dupuis lefort vasseur
    picard fabre caron perrot mallet schmitt colin vidal aubert lemoine boucher
    carpentier guillot fleury lebrun lebon weber kone camara coulibaly sylla toure
    """
)
# Words that may sit between a title and a name: "Mme de Villiers", "M. Le Goff".
PARTICLES: Final = word_set("de du des d le la les l van von der den ben el al da di dos das del")
ELISIONS: Final = frozenset(
    {"j", "m", "t", "s", "n", "c", "l", "d", "qu", "jusqu", "lorsqu", "puisqu"}
)
FUNCTION_WORDS: Final = word_set(
    """
    a au aux avec ce ces cet cette c ca car comme dans de des du d elle elles en et eux il
    ils je j la le les leur leurs lui l ma mais me m meme mes moi mon ne n ni nos notre
    nous on ou par pas pour qu que quoi qui sa se s ses si son sur ta te tes toi ton tu un
    une vos votre vous y sans sous chez vers entre depuis pendant apres avant tres trop peu
    plus moins bien mal tout tous toute toutes rien quelque quelques chaque aussi encore
    deja toujours jamais souvent parfois vraiment beaucoup assez enfin alors donc puis
    ensuite ici la voila oui non ok okay car quand comment pourquoi combien lorsque
    puisque afin selon malgre grace cela ceci celle celui ceux celles dont ou autre autres
    meme memes tel telle aucun aucune certain certains plusieurs tant tellement
    surtout seulement juste pareil pareille vite ensemble fois
    """
)
VERBS: Final = word_set(
    """
    est etait sont suis es sommes etes ete etre ai as avons avez ont avait avoir eu fait
    faire fais font peut peux pouvoir pu doit dois faut fallait va vais vont aller venu
    venue venus viens vient venir dit dis dire explique expliquait aide aidee aider aidait
    accueilli accueillie accueille merci remercie remercier serait sera seront etais
    etaient avais avaient pris prend prendre sait savoir su vu voir voit donne donner
    reste rester passe passer parle parler montre montrer appris apprendre demande
    demander travaille travailler trouve trouver pense crois veux voudrais voulait aime
    adore adoree conseille conseillee oriente orientee appelle appelais appel apelle
    pourrait pourriez devrait devriez faudrait
    """
)
ADJECTIVES: Final = word_set(
    """
    gentil gentille gentils gentilles sympa sympathique super top parfait parfaite
    patient patiente aimable agreable adorable genial geniale competent competente
    professionnel professionnelle disponible souriant souriante formidable excellent
    excellente bon bonne bons bonnes grand grande petit petite nouveau nouvelle jeune
    vieux vieille extra magnifique serviable attentionne attentionnee chaleureux
    chaleureuse content contente satisfait satisfaite ravi ravie tres efficace pedagogue
    douce doux calme gentiment numerique numeriques social sociale
    """
)
ROLES: Final = word_set(
    """
    madame monsieur mademoiselle mesdames messieurs mme mmes mr m mlle melle dr docteur
    maitre maire directeur directrice responsable president presidente ministre prefet
    prefete depute deputee senateur senatrice conseiller conseillere conseillers
    mediateur mediatrice animateur animatrice formateur formatrice agent agente
    secretaire adjoint adjointe coordinateur coordinatrice benevole benevoles stagiaire
    chef cheffe employe employee dame dames homme femme fille garcon jeune equipe
    personnel accueil service services guichet professeur prof nom prenom mamie papi
    papy mamy mami tata tonton maman papa fils mari epoux epouse voisin voisine soeur
    frere famille enfant enfants petits-enfants grand-mere grand-pere utilisateur
    utilisatrice retraite retraitee
    """
)
ORGANISATIONS: Final = word_set(
    """
    france services pole emploi travail caf cpam ameli msa carsat urssaf ants impots gouv
    prefecture poste banque orange sfr free bouygues google apple samsung windows
    microsoft word excel android iphone ipad facebook whatsapp messenger youtube zoom
    skype doctolib leboncoin amazon internet wifi pc mac gmail outlook hotmail yahoo
    franceconnect connect emmaus croix rouge secours populaire restos ccas cias mjc ehpad
    sncf ratp edf engie cnav agirc arrco mutuelle assurance maladie retraite cafe
    informatique smartphone tablette ordinateur mail mails sms svp stp rdv tel tele
    telephone ps nb ras cv pdf usb
    """
)
TIME_WORDS: Final = word_set(
    """
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    lundi mardi mercredi jeudi vendredi samedi dimanche matin midi soir apres-midi aprem
    journee soiree semaine mois an annee heure heures minute minutes aujourd'hui demain
    hier bientot
    """
)
GREETINGS: Final = word_set(
    """
    bonjour bonsoir salut coucou merci cordialement cdlt cdt bises bisous amicalement
    salutations distinguees sinceres respectueusement continuation suite revoir
    infiniment courage felicitations bravo
    """
)
STOP: Final = (
    FUNCTION_WORDS
    | VERBS
    | ADJECTIVES
    | ROLES
    | ORGANISATIONS
    | TIME_WORDS
    | GREETINGS
    | word_set("peut-etre tout-le-monde vous-meme moi-meme rien bricolage")
)
# Street names use capitalised roles and adjectives ("avenue du Général de Gaulle",
# "rue du Docteur Roux", "rue de la Grande Fontaine"): addresses stop only on these.
ADDRESS_CONNECTORS: Final = word_set("de du des d la le les l aux au sur sous en les lès")
ADDRESS_STOP: Final = (
    (FUNCTION_WORDS - ADDRESS_CONNECTORS)
    | VERBS
    | GREETINGS
    | word_set("merci svp stp mais pour tel mail telephone tél portable et je j")
)
ADDRESS_DETAILS: Final = word_set(
    "bat batiment bât bâtiment appt apt app appart appartement esc escalier etage porte "
    "entree logement log"
)
MONTHS: Final = word_set(
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre"
)
# A known first name right after one of these is a place, not a person ("centre social
# Jean Moulin", "arrêt Victor Hugo", "l'île Maurice").
PLACE_WORDS: Final = word_set(
    """
    rue avenue av boulevard bd place allee impasse chemin quai cours square centre espace
    maison mediatheque bibliotheque salle ecole college lycee universite fac faculte
    gymnase stade piscine hopital clinique ehpad residence cite quartier parc jardin metro
    station arret tram gare pont port saint sainte st ste mont eglise musee theatre cinema
    association fondation institut hall foyer mjc groupe scolaire ile aeroport lotissement
    hameau village ville bourg complexe pole
    """
)
# People whose name is mostly used for a street, a school or a station.
EPONYMS: Final = frozenset(
    fold(n)
    for n in """
    jean jaures|jean moulin|victor hugo|louise michel|simone veil|jules ferry|jules verne|
    charles de gaulle|marie curie|pierre curie|jacques brel|georges brassens|jean mace|
    leon blum|paul eluard|emile zola|albert camus|jean zay|pablo picasso|aristide briand|
    gabriel peri|louis pasteur|jean monnet|rosa parks|nelson mandela|olympe de gouges|
    george sand|jean de la fontaine|anatole france|romain rolland|henri barbusse|jean vilar|
    elsa triolet|maurice ravel|claude debussy|jean ferrat|boris vian|jacques prevert|
    jean rostand|louis aragon|pierre mendes france|martin luther king|gustave eiffel|
    marcel pagnol|paul langevin|jean lurcat|lucie aubrac|germaine tillion|guy moquet|
    pierre semard|francois mitterrand|jean-baptiste clement|paul vaillant-couturier|
    marcel cachin|maurice thorez|jean jaurès|henri matisse|auguste renoir|jean bart|
    paul bert|jean giono|colette besson|jean lagarde|louis aragon|rene cassin|simone de beauvoir
    """.replace("\n", "").split("|")
)
# Before a title, these make it a common noun ("la madame Durand"): the name must then
# be capitalised.
DETERMINERS: Final = word_set("la le une un cette ce cet sa son ma mon ta ton des les du au aux l")
# Street types (addresses.py) that are also common words ("2 cours par semaine", "3 place
# de libre"): the name must then be capitalised.
AMBIGUOUS_STREETS: Final = word_set(
    "place pl. route rte rte. cours square sq. passage villa cite voie sentier traverse "
    "promenade esplanade parvis clos domaine cote mail quartier zone zac za zi parc cour "
    "port hameau residence res. lotissement lot."
)
# Function words and common words of the form's other languages (English, Spanish,
# Portuguese, Ukrainian, Russian, Arabic) that follow a self-introduction but are not a
# name ("my name is not easy", "I'm French", "мене звати і…"). introductions.py.
FOREIGN_STOP: Final = word_set(
    """
    a an and the i i'm im am is are was were be been not no very so too also just still
    really from in at on to of for with by my me mine you your he she we they it its this
    that here there now new happy sorry looking glad retired unemployed alone old years
    year but or please thank thanks thankyou hello hi hey good fine okay learning living
    working married single mother father mom mum dad wife husband son daughter one only
    french english british american african european ukrainian russian spanish portuguese
    brazilian moroccan algerian tunisian senegalese malian ivorian congolese cameroonian
    guinean syrian afghan iraqi iranian turkish romanian polish italian german chinese
    indian pakistani bangladeshi colombian venezuelan peruvian ecuadorian egyptian
    sudanese eritrean somali ethiopian georgian armenian albanian arab muslim christian
    catholic jewish deaf blind disabled student refugee asylum seeker job teacher nurse
    more most some many few other big small long short bad
    y del el los las soy estoy tengo anos vivo con para por que muy pero yo mi es una uno
    gracias hola senora senor
    e da do das dos sou estou tenho moro em com nao eu meu minha um uma obrigado obrigada
    ola senhora senhor
    і й та я мені мне років лет з із из в у на и а але но дякую спасибо привіт привет не
    мій мой моя моє мое
    و وأنا وانا انا أنا من في عمري عندي على الى إلى عن مع شكرا هو هي لا
    """
)
