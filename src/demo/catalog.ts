/**
 * The invented world of the demo shop: a French beauty brand's catalogue, first and last names,
 * cities. Every person generated from these is synthetic.
 */

export interface Product {
  sku: string;
  name: string;
  category: string;
  price: number;
}

const product = (sku: string, name: string, category: string, price: number): Product => ({
  sku,
  name,
  category,
  price,
});

export const CATALOG: readonly Product[] = [
  product("SER-ECL-30", "Sérum Éclat Vitamine C 30 ml", "Sérum", 39.9),
  product("SER-HYA-30", "Sérum Hydratant Acide Hyaluronique 30 ml", "Sérum", 34.9),
  product("SER-RET-30", "Sérum Nuit Rétinol 30 ml", "Sérum", 49.9),
  product("SER-NIA-30", "Sérum Anti-Imperfections Niacinamide 30 ml", "Sérum", 29.9),
  product("SER-YEU-15", "Sérum Contour des Yeux 15 ml", "Sérum", 32.5),
  product("SER-APA-30", "Sérum Apaisant Peaux Sensibles 30 ml", "Sérum", 36.0),
  product("CRE-JOU-50", "Crème de Jour Hydratante 50 ml", "Crème", 28.9),
  product("CRE-NUI-50", "Crème de Nuit Régénérante 50 ml", "Crème", 34.9),
  product("CRE-RIC-50", "Crème Riche Peaux Sèches 50 ml", "Crème", 31.5),
  product("CRE-MAT-50", "Crème Matifiante 50 ml", "Crème", 26.9),
  product("CRE-MAI-75", "Crème Mains Karité 75 ml", "Crème", 9.9),
  product("CRE-SPF-50", "Crème Solaire Visage SPF 50", "Crème", 22.9),
  product("NET-GEL-200", "Gel Nettoyant Doux 200 ml", "Nettoyant", 14.9),
  product("NET-EAU-400", "Eau Micellaire 400 ml", "Nettoyant", 12.5),
  product("NET-HUI-150", "Huile Démaquillante 150 ml", "Nettoyant", 19.9),
  product("NET-GOM-75", "Gommage Visage Grains Fins 75 ml", "Nettoyant", 16.9),
  product("NET-MAS-75", "Masque Purifiant Argile 75 ml", "Nettoyant", 18.5),
  product("MAQ-FDT-30", "Fond de Teint Fluide 30 ml", "Maquillage", 32.0),
  product("MAQ-MAS-10", "Mascara Volume Intense", "Maquillage", 24.9),
  product("MAQ-RAL-04", "Rouge à Lèvres Satiné", "Maquillage", 21.0),
  product("MAQ-BAU-15", "Baume Teinté Lèvres", "Maquillage", 12.9),
  product("MAQ-POU-10", "Poudre Libre Matifiante", "Maquillage", 27.5),
  product("MAQ-PAL-12", "Palette Fards à Paupières Nude", "Maquillage", 38.0),
  product("MAQ-CRA-01", "Crayon Sourcils", "Maquillage", 14.5),
  product("PAR-ROS-50", "Eau de Parfum Rose Poudrée 50 ml", "Parfum", 68.0),
  product("PAR-FLE-50", "Eau de Parfum Fleur d'Oranger 50 ml", "Parfum", 72.0),
  product("PAR-BOI-100", "Eau de Toilette Bois Ambré 100 ml", "Parfum", 89.0),
  product("PAR-AGR-30", "Eau Fraîche Agrumes 30 ml", "Parfum", 35.0),
  product("PAR-COF-03", "Coffret Découverte Parfums", "Parfum", 45.0),
  product("COR-LAI-200", "Lait Corps Nourrissant 200 ml", "Soin corps", 17.9),
  product("COR-HUI-100", "Huile Sèche Corps et Cheveux 100 ml", "Soin corps", 24.0),
  product("COR-GOM-200", "Gommage Corps Sucre 200 ml", "Soin corps", 19.5),
  product("COR-DOU-250", "Gel Douche Fleur de Coton 250 ml", "Soin corps", 8.9),
  product("COR-BAU-50", "Baume Réparateur 50 ml", "Soin corps", 15.0),
  product("COF-ROU-01", "Coffret Routine Éclat", "Coffret", 95.0),
  product("COF-NOE-01", "Coffret Noël Essentiels", "Coffret", 119.0),
  product("ECH-SER-01", "Mini Sérum Éclat 5 ml", "Sérum", 8.0),
  product("ECH-CRE-01", "Mini Crème de Jour 15 ml", "Crème", 9.0),
];

export const FIRST_NAMES: readonly string[] = [
  "Camille",
  "Léa",
  "Manon",
  "Chloé",
  "Emma",
  "Inès",
  "Sarah",
  "Jade",
  "Louise",
  "Alice",
  "Lucie",
  "Juliette",
  "Zoé",
  "Clara",
  "Anaïs",
  "Julie",
  "Pauline",
  "Marion",
  "Laura",
  "Élodie",
  "Céline",
  "Nathalie",
  "Isabelle",
  "Sophie",
  "Sandrine",
  "Aurélie",
  "Émilie",
  "Charlotte",
  "Margaux",
  "Océane",
  "Maëlle",
  "Noémie",
  "Mathilde",
  "Agathe",
  "Romane",
  "Lina",
  "Nina",
  "Eva",
  "Rose",
  "Hélène",
  "Thomas",
  "Lucas",
  "Hugo",
  "Nicolas",
  "Julien",
  "Antoine",
  "Maxime",
  "Alexandre",
  "Léo",
  "Théo",
  "Mathieu",
  "Romain",
  "Kevin",
  "Yanis",
  "Adam",
  "Karim",
  "Mehdi",
  "François",
  "Gaëlle",
  "Bérénice",
];

export const LAST_NAMES: readonly string[] = [
  "Martin",
  "Bernard",
  "Thomas",
  "Petit",
  "Robert",
  "Richard",
  "Durand",
  "Dubois",
  "Moreau",
  "Laurent",
  "Simon",
  "Michel",
  "Lefebvre",
  "Leroy",
  "Roux",
  "David",
  "Bertrand",
  "Morel",
  "Fournier",
  "Girard",
  "Bonnet",
  "Dupont",
  "Lambert",
  "Fontaine",
  "Rousseau",
  "Vincent",
  "Muller",
  "Lefèvre",
  "Faure",
  "André",
  "Mercier",
  "Blanc",
  "Guérin",
  "Boyer",
  "Garnier",
  "Chevalier",
  "François",
  "Legrand",
  "Gauthier",
  "Garcia",
  "Perrin",
  "Robin",
  "Clément",
  "Morin",
  "Nicolas",
  "Henry",
  "Roussel",
  "Mathieu",
  "Gautier",
  "Masson",
  "Marchand",
  "Duval",
  "Denis",
  "Dumont",
  "Marie",
  "Lemaire",
  "Noël",
  "Meyer",
  "Dufour",
  "Meunier",
];

export const CITIES: Record<string, readonly (readonly [string, string])[]> = {
  FR: [
    ["Paris", "75011"],
    ["Paris", "75015"],
    ["Lyon", "69003"],
    ["Marseille", "13006"],
    ["Toulouse", "31000"],
    ["Nice", "06000"],
    ["Nantes", "44000"],
    ["Strasbourg", "67000"],
    ["Montpellier", "34000"],
    ["Bordeaux", "33000"],
    ["Lille", "59000"],
    ["Rennes", "35000"],
    ["Reims", "51100"],
    ["Grenoble", "38000"],
    ["Dijon", "21000"],
    ["Angers", "49000"],
    ["Aix-en-Provence", "13100"],
    ["Annecy", "74000"],
    ["Tours", "37000"],
    ["Caen", "14000"],
  ],
  BE: [
    ["Bruxelles", "1000"],
    ["Liège", "4000"],
    ["Namur", "5000"],
    ["Gand", "9000"],
  ],
  CH: [
    ["Genève", "1201"],
    ["Lausanne", "1003"],
    ["Fribourg", "1700"],
  ],
};

export const TAGS: readonly string[] = [
  "vip",
  "newsletter",
  "sensitive_skin",
  "peau_seche",
  "peau_grasse",
  "bio",
  "parrainage",
];

export const SKIN_TYPES: readonly string[] = ["sèche", "grasse", "mixte", "normale", "sensible"];

export interface ChannelProfile {
  name: string;
  /** Share of contacts acquired through it. */
  weight: number;
  /** Probability that a contact from it ever buys. */
  buy: number;
  /** Multiplier on the number of orders of its buyers. */
  frequency: number;
  /** Multiplier on basket size. */
  basket: number;
}

/** Referral and store bring fewer but better buyers; google_ads many but weaker ones. */
export const ACQUISITION_CHANNELS: readonly ChannelProfile[] = [
  { name: "instagram", weight: 25, buy: 0.55, frequency: 0.9, basket: 0.9 },
  { name: "google_ads", weight: 28, buy: 0.5, frequency: 0.7, basket: 0.8 },
  { name: "newsletter", weight: 15, buy: 0.6, frequency: 1.1, basket: 1.0 },
  { name: "referral", weight: 9, buy: 0.78, frequency: 1.6, basket: 1.3 },
  { name: "whatsapp_qr", weight: 11, buy: 0.6, frequency: 1.2, basket: 1.0 },
  { name: "store", weight: 12, buy: 0.8, frequency: 1.4, basket: 1.2 },
];

export const LISTS = {
  faceCare: "Intérêt Gamme Visage",
  newsletter: "Newsletter",
  vipClub: "Club VIP",
} as const;
