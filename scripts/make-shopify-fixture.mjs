#!/usr/bin/env node
/**
 * Writes fixtures/shopify/: a small synthetic export in Shopify's real formats (customers export
 * 2024, orders export 2025, exact headers from shared/data/export-formats/headers/) and, in
 * fixtures/shopify/canonical/, the same people and orders in canonical columns. A test checks
 * that both give identical profiles.
 *
 *   node scripts/make-shopify-fixture.mjs
 *
 * Every person here is invented; emails are at example.com, phones in the ARCEP fiction block.
 */
import { mkdir, writeFile } from "node:fs/promises";

const root = new URL("../", import.meta.url);
const CUSTOMERS_HEADER =
  "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags".split(
    ",",
  );
const ORDERS_HEADER =
  "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References".split(
    ",",
  );

// id, first, last, email as exported, accepts email, city, country, zip, default address phone, phone, accepts sms, tags, note
const PEOPLE = [
  [
    "7210448301122",
    "Camille",
    "Martin",
    "camille.martin@example.com",
    "yes",
    "Paris",
    "FR",
    "75011",
    "",
    "'+33639981001",
    "yes",
    "vip, newsletter",
    "Préfère les échantillons\nappeler le matin",
  ],
  [
    "7210448301123",
    "Léa",
    "Bernard",
    "LEA.BERNARD@example.com",
    "no",
    "Lyon",
    "FR",
    "69003",
    "'06 39 98 10 02",
    "",
    "no",
    "",
    "",
  ],
  [
    "7210448301124",
    "Hugo",
    "Petit",
    " hugo.petit@example.com",
    "yes",
    "Bruxelles",
    "BE",
    "1000",
    "",
    "'+33 6 39 98 10 03",
    "yes",
    "newsletter",
    "",
  ],
  [
    "7210448301125",
    "Inès",
    "Durand",
    "ines.durand@example.com",
    "yes",
    "Marseille",
    "FR",
    "'13006",
    "",
    "",
    "no",
    "sensitive_skin",
    "",
  ],
  [
    "7210448301126",
    "Nicolas",
    "Moreau",
    "nicolas.moreau@example.com",
    "no",
    "Nantes",
    "FR",
    "44000",
    "",
    "'+33639981005",
    "yes",
    "",
    "\n",
  ],
  [
    "7210448301127",
    "Sarah",
    "Laurent",
    "sarah.laurent@example.com",
    "yes",
    "Genève",
    "CH",
    "1201",
    "",
    "",
    "no",
    "vip",
    "",
  ],
  [
    "7210448301128",
    "Julien",
    "Simon",
    "julien.simon@example.com",
    "yes",
    "Lille",
    "FR",
    "59000",
    "",
    "'+33639981007",
    "no",
    "",
    "",
  ],
  [
    "7210448301129",
    "Chloé",
    "Michel",
    "Chloe.Michel@Example.com",
    "yes",
    "Rennes",
    "FR",
    "35000",
    "",
    "",
    "yes",
    "bio, newsletter",
    "",
  ],
  [
    "7210448301130",
    "Théo",
    "Leroy",
    "theo.leroy@example.com",
    "no",
    "Bordeaux",
    "FR",
    "33000",
    "",
    "'+33639981009",
    "no",
    "",
    "",
  ],
  [
    "7210448301131",
    "Zoé",
    "Roux",
    "zoe.roux@example.com",
    "yes",
    "Nice",
    "FR",
    "06000",
    "",
    "",
    "no",
    "",
    "",
  ],
  [
    "7210448301132",
    "Maxime",
    "Fournier",
    "maxime.fournier@example.com",
    "yes",
    "Toulouse",
    "FR",
    "31000",
    "",
    "'+33639981011",
    "yes",
    "",
    "",
  ],
  [
    "7210448301133",
    "Anaïs",
    "Girard",
    "anais.girard@example.com",
    "no",
    "Dijon",
    "FR",
    "21000",
    "",
    "",
    "no",
    "",
    "",
  ],
];

// order name, email, financial status, created at, total, refunded, cancelled at, source, lines [qty, name, price, sku]
const ORDERS = [
  [
    "#1001",
    "camille.martin@example.com",
    "paid",
    "2026-01-05 10:20:30 +0100",
    "74.80",
    "",
    "",
    "web",
    [
      [1, "Sérum Éclat Vitamine C 30 ml", "39.90", "SER-ECL-30"],
      [1, "Crème de Jour Hydratante 50 ml", "34.90", "CRE-JOU-50"],
    ],
  ],
  [
    "#1002",
    "LEA.BERNARD@example.com",
    "paid",
    "2026-01-12 18:05:00 +0100",
    "12.50",
    "",
    "",
    "pos",
    [[1, "Eau Micellaire 400 ml", "12.50", "NET-EAU-400"]],
  ],
  [
    "#1003",
    "camille.martin@example.com",
    "partially_refunded",
    "2026-02-14 09:00:00 +0100",
    "119.00",
    "35.70",
    "",
    "web",
    [[1, "Coffret Noël Essentiels", "119.00", "COF-NOE-01"]],
  ],
  [
    "#1004",
    "hugo.petit@example.com",
    "refunded",
    "2026-02-20 12:00:00 +0100",
    "68.00",
    "68.00",
    "",
    "web",
    [[1, "Eau de Parfum Rose Poudrée 50 ml", "68.00", "PAR-ROS-50"]],
  ],
  [
    "#1005",
    "hugo.petit@example.com",
    "paid",
    "2026-03-02 23:30:00 -0500",
    "44.80",
    "",
    "",
    "web",
    [
      [2, "Gel Douche Fleur de Coton 250 ml", "8.90", "COR-DOU-250"],
      [1, "Baume Réparateur 50 ml", "15.00", "COR-BAU-50"],
      [1, "Crème Mains Karité 75 ml", "9.90", "CRE-MAI-75"],
    ],
  ],
  [
    "#1006",
    "ines.durand@example.com",
    "paid",
    "2026-03-15 14:45:10 +0100",
    "36.00",
    "",
    "2026-03-15 16:00:00 +0100",
    "web",
    [[1, "Sérum Apaisant Peaux Sensibles 30 ml", "36.00", "SER-APA-30"]],
  ],
  [
    "#1007",
    "ines.durand@example.com",
    "paid",
    "2026-04-01 08:10:00 +0200",
    "61.80",
    "",
    "",
    "web",
    [
      [1, "Sérum Apaisant Peaux Sensibles 30 ml", "36.00", "SER-APA-30"],
      [1, "Gommage Visage Grains Fins 75 ml", "16.90", "NET-GOM-75"],
      [1, "Mini Crème de Jour 15 ml", "8.90", "ECH-CRE-01"],
    ],
  ],
  [
    "#1008",
    "nicolas.moreau@example.com",
    "paid",
    "2026-04-18 19:20:00 -0400",
    "24.90",
    "",
    "",
    "pos",
    [[1, "Mascara Volume Intense", "24.90", "MAQ-MAS-10"]],
  ],
  [
    "#1009",
    "sarah.laurent@example.com",
    "paid",
    "2026-05-02 11:11:11 +0200",
    "161.00",
    "",
    "",
    "web",
    [
      [1, "Eau de Toilette Bois Ambré 100 ml", "89.00", "PAR-BOI-100"],
      [1, "Eau de Parfum Fleur d'Oranger 50 ml", "72.00", "PAR-FLE-50"],
    ],
  ],
  [
    "#1010",
    "sarah.laurent@example.com",
    "paid",
    "2026-06-01 10:00:00 +0200",
    "95.00",
    "",
    "",
    "web",
    [[1, "Coffret Routine Éclat", "95.00", "COF-ROU-01"]],
  ],
  [
    "#1011",
    "sarah.laurent@example.com",
    "paid",
    "2026-06-28 21:45:00 +0200",
    "49.90",
    "",
    "",
    "pos",
    [[1, "Sérum Nuit Rétinol 30 ml", "49.90", "SER-RET-30"]],
  ],
  [
    "#1012",
    "julien.simon@example.com",
    "pending",
    "2026-05-20 13:00:00 +0200",
    "29.90",
    "",
    "",
    "web",
    [[1, "Sérum Anti-Imperfections Niacinamide 30 ml", "29.90", "SER-NIA-30"]],
  ],
  [
    "#1013",
    "chloe.michel@example.com",
    "paid",
    "2026-06-10 09:30:00 +0200",
    "51.80",
    "",
    "",
    "web",
    [
      [2, "Lait Corps Nourrissant 200 ml", "17.90", "COR-LAI-200"],
      [1, "Baume Teinté Lèvres", "12.90", "MAQ-BAU-15"],
    ],
  ],
  [
    "#1014",
    "guest.buyer@example.com",
    "paid",
    "2026-06-15 16:00:00 +0200",
    "27.50",
    "",
    "",
    "web",
    [[1, "Poudre Libre Matifiante", "27.50", "MAQ-POU-10"]],
  ],
  [
    "#1015",
    "maxime.fournier@example.com",
    "paid",
    "2026-06-29 23:50:00 +0000",
    "38.00",
    "",
    "",
    "web",
    [[1, "Palette Fards à Paupières Nude", "38.00", "MAQ-PAL-12"]],
  ],
  [
    "#1016",
    "camille.martin@example.com",
    "paid",
    "2026-06-20 10:00:00 +0200",
    "22.90",
    "",
    "",
    "pos",
    [[1, "Crème Solaire Visage SPF 50", "22.90", "CRE-SPF-50"]],
  ],
  [
    "#1017",
    "nicolas.moreau@example.com",
    "paid",
    "2025-11-28 17:40:00 -0500",
    "74.00",
    "",
    "",
    "web",
    [
      [1, "Fond de Teint Fluide 30 ml", "32.00", "MAQ-FDT-30"],
      [1, "Crayon Sourcils", "14.50", "MAQ-CRA-01"],
      [1, "Poudre Libre Matifiante", "27.50", "MAQ-POU-10"],
    ],
  ],
  [
    "#1018",
    "sarah.laurent@example.com",
    "paid",
    "2025-09-14 15:05:42 +0200",
    "74.80",
    "",
    "",
    "web",
    [
      [1, "Sérum Éclat Vitamine C 30 ml", "39.90", "SER-ECL-30"],
      [1, "Crème de Nuit Régénérante 50 ml", "34.90", "CRE-NUI-50"],
    ],
  ],
  [
    "#1019",
    "sarah.laurent@example.com",
    "paid",
    "2025-12-19 12:30:00 +0100",
    "144.80",
    "",
    "",
    "pos",
    [
      [1, "Coffret Noël Essentiels", "119.00", "COF-NOE-01"],
      [2, "Baume Teinté Lèvres", "12.90", "MAQ-BAU-15"],
    ],
  ],
  [
    "#1020",
    "julien.simon@example.com",
    "paid",
    "2026-02-03 08:45:00 +0100",
    "41.80",
    "",
    "",
    "web",
    [
      [1, "Gel Nettoyant Doux 200 ml", "14.90", "NET-GEL-200"],
      [1, "Crème Matifiante 50 ml", "26.90", "CRE-MAT-50"],
    ],
  ],
  [
    "#1021",
    "julien.simon@example.com",
    "paid",
    "2026-06-02 19:15:00 -0400",
    "71.30",
    "",
    "",
    "web",
    [
      [1, "Sérum Anti-Imperfections Niacinamide 30 ml", "29.90", "SER-NIA-30"],
      [1, "Masque Purifiant Argile 75 ml", "18.50", "NET-MAS-75"],
      [1, "Crème Solaire Visage SPF 50", "22.90", "CRE-SPF-50"],
    ],
  ],
  [
    "#1022",
    "chloe.michel@example.com",
    "paid",
    "2025-10-08 10:10:10 +0200",
    "43.50",
    "",
    "",
    "pos",
    [
      [1, "Huile Sèche Corps et Cheveux 100 ml", "24.00", "COR-HUI-100"],
      [1, "Gommage Corps Sucre 200 ml", "19.50", "COR-GOM-200"],
    ],
  ],
  [
    "#1023",
    "chloe.michel@example.com",
    "paid",
    "2026-03-21 16:20:00 +0100",
    "35.00",
    "",
    "",
    "web",
    [[1, "Eau Fraîche Agrumes 30 ml", "35.00", "PAR-AGR-30"]],
  ],
  [
    "#1024",
    "theo.leroy@example.com",
    "paid",
    "2026-01-30 09:00:00 +0100",
    "97.90",
    "",
    "",
    "pos",
    [
      [1, "Eau de Toilette Bois Ambré 100 ml", "89.00", "PAR-BOI-100"],
      [1, "Gel Douche Fleur de Coton 250 ml", "8.90", "COR-DOU-250"],
    ],
  ],
  [
    "#1025",
    "theo.leroy@example.com",
    "paid",
    "2026-05-09 14:00:00 +0200",
    "9.90",
    "",
    "2026-05-09 18:30:00 +0200",
    "web",
    [[1, "Crème Mains Karité 75 ml", "9.90", "CRE-MAI-75"]],
  ],
  [
    "#1026",
    "maxime.fournier@example.com",
    "paid",
    "2026-04-11 11:00:00 +0200",
    "52.90",
    "",
    "",
    "web",
    [
      [1, "Huile Démaquillante 150 ml", "19.90", "NET-HUI-150"],
      [2, "Eau Micellaire 400 ml", "12.50", "NET-EAU-400"],
      [1, "Mini Sérum Éclat 5 ml", "8.00", "ECH-SER-01"],
    ],
  ],
  [
    "#1027",
    "maxime.fournier@example.com",
    "partially_refunded",
    "2026-05-27 20:05:00 +0200",
    "64.00",
    "31.50",
    "",
    "web",
    [
      [1, "Sérum Contour des Yeux 15 ml", "32.50", "SER-YEU-15"],
      [1, "Crème Riche Peaux Sèches 50 ml", "31.50", "CRE-RIC-50"],
    ],
  ],
  [
    "#1028",
    "zoe.roux@example.com",
    "paid",
    "2026-04-04 10:45:00 +0200",
    "59.80",
    "",
    "",
    "web",
    [
      [1, "Sérum Hydratant Acide Hyaluronique 30 ml", "34.90", "SER-HYA-30"],
      [1, "Mascara Volume Intense", "24.90", "MAQ-MAS-10"],
    ],
  ],
  [
    "#1029",
    "LEA.BERNARD@example.com",
    "paid",
    "2026-05-05 07:30:00 -0400",
    "59.00",
    "",
    "",
    "web",
    [
      [1, "Rouge à Lèvres Satiné", "21.00", "MAQ-RAL-04"],
      [1, "Palette Fards à Paupières Nude", "38.00", "MAQ-PAL-12"],
    ],
  ],
  [
    "#1030",
    "sarah.laurent@example.com",
    "paid",
    "2026-06-30 09:15:00 +0200",
    "130.90",
    "",
    "",
    "web",
    [
      [1, "Eau de Parfum Rose Poudrée 50 ml", "68.00", "PAR-ROS-50"],
      [1, "Coffret Découverte Parfums", "45.00", "PAR-COF-03"],
      [1, "Lait Corps Nourrissant 200 ml", "17.90", "COR-LAI-200"],
    ],
  ],
];

function field(value) {
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
const line = (fields) => `${fields.map(field).join(",")}\n`;

function shopify() {
  let customers = line(CUSTOMERS_HEADER);
  for (const [
    id,
    first,
    last,
    email,
    acceptsEmail,
    city,
    country,
    zip,
    addressPhone,
    phone,
    acceptsSms,
    tags,
    note,
  ] of PEOPLE) {
    const spent = ORDERS.filter((o) => o[1].toLowerCase() === email.trim().toLowerCase()).reduce(
      (s, o) => s + Number(o[4]),
      0,
    );
    const count = ORDERS.filter((o) => o[1].toLowerCase() === email.trim().toLowerCase()).length;
    const row = {
      "Customer ID": `'${id}`,
      "First Name": first,
      "Last Name": last,
      Email: email,
      "Accepts Email Marketing": acceptsEmail,
      "Default Address City": city,
      "Default Address Country Code": country,
      "Default Address Zip": zip,
      "Default Address Phone": addressPhone,
      Phone: phone,
      "Accepts SMS Marketing": acceptsSms,
      "Total Spent": spent.toFixed(2),
      "Total Orders": String(count),
      Note: note,
      "Tax Exempt": "no",
      Tags: tags,
    };
    customers += line(CUSTOMERS_HEADER.map((h) => row[h] ?? ""));
  }
  let orders = line(ORDERS_HEADER);
  for (const [
    name,
    email,
    financial,
    createdAt,
    total,
    refunded,
    cancelledAt,
    source,
    lines,
  ] of ORDERS) {
    lines.forEach(([qty, product, price, sku], k) => {
      const first = k === 0;
      const row = first
        ? {
            Name: name,
            Email: email,
            "Financial Status": financial,
            "Paid at": financial === "pending" ? "" : createdAt,
            "Fulfillment Status": "fulfilled",
            "Accepts Marketing": "yes",
            Currency: "EUR",
            Subtotal: total,
            Shipping: "0.00",
            Taxes: "0.00",
            Total: total,
            "Created at": createdAt,
            "Billing Name": "",
            "Cancelled at": cancelledAt,
            "Refunded Amount": refunded,
            "Note Attributes":
              first && name === "#1009" ? "gift_message: Joyeux anniversaire\nwrap: yes" : "",
            Id: String(5_500_000_000_000 + Number(name.slice(1))),
            Source: source,
            "Payment Method": "Shopify Payments",
          }
        : { Name: name, Email: k === 1 ? email : "", "Created at": createdAt };
      row["Lineitem quantity"] = String(qty);
      row["Lineitem name"] = product;
      row["Lineitem price"] = price;
      row["Lineitem sku"] = sku;
      row["Lineitem requires shipping"] = "true";
      row["Lineitem taxable"] = "true";
      row["Lineitem fulfillment status"] = "fulfilled";
      orders += line(ORDERS_HEADER.map((h) => row[h] ?? ""));
    });
  }
  return { customers, orders };
}

function canonical() {
  let contacts = line([
    "customer_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "email_consent",
    "sms_consent",
    "country",
    "city",
    "zip",
    "tags",
  ]);
  for (const [
    id,
    first,
    last,
    email,
    acceptsEmail,
    city,
    country,
    zip,
    addressPhone,
    phone,
    acceptsSms,
    tags,
  ] of PEOPLE) {
    const chosen = (phone || addressPhone).replace(/^'/, "");
    contacts += line([
      id,
      email.trim().toLowerCase(),
      chosen,
      first,
      last,
      acceptsEmail,
      acceptsSms,
      country,
      city,
      zip.replace(/^'/, ""),
      tags,
    ]);
  }
  let orders = line([
    "order_id",
    "email",
    "created_at",
    "total",
    "refunded",
    "currency",
    "status",
    "channel",
    "product",
    "sku",
    "quantity",
    "price",
    "email_consent",
  ]);
  for (const [
    name,
    email,
    financial,
    createdAt,
    total,
    refunded,
    cancelledAt,
    source,
    lines,
  ] of ORDERS) {
    lines.forEach(([qty, product, price, sku], k) => {
      const first = k === 0;
      orders += line([
        name,
        email.toLowerCase(),
        createdAt,
        first ? total : "",
        first ? refunded : "",
        first ? "EUR" : "",
        first ? (cancelledAt ? "cancelled" : financial) : "",
        first ? source : "",
        product,
        sku,
        String(qty),
        price,
        first ? "yes" : "",
      ]);
    });
  }
  return { contacts, orders };
}

const CONFIG = (files, preset) =>
  [
    "# Synthetic Shopify-format export (see scripts/make-shopify-fixture.mjs)",
    `contacts: ${files[0]}`,
    `orders: ${files[1]}`,
    ...(preset
      ? [`preset: ${preset}`]
      : [
          "# The non-purchase statuses of Shopify (the shopify preset's default): a pending order counts.",
          "exclude_status: [cancelled, voided, refunded, expired]",
        ]),
    "timezone: Europe/Paris",
    "default_country: FR",
    "as_of: 2026-06-30",
    "",
  ].join("\n");

const s = shopify();
const c = canonical();
await mkdir(new URL("fixtures/shopify/canonical/", root), { recursive: true });
await writeFile(new URL("fixtures/shopify/customers_export.csv", root), s.customers);
await writeFile(new URL("fixtures/shopify/orders_export.csv", root), s.orders);
await writeFile(
  new URL("fixtures/shopify/audience.yaml", root),
  CONFIG(["customers_export.csv", "orders_export.csv"], "shopify"),
);
await writeFile(new URL("fixtures/shopify/canonical/contacts.csv", root), c.contacts);
await writeFile(new URL("fixtures/shopify/canonical/orders.csv", root), c.orders);
await writeFile(
  new URL("fixtures/shopify/canonical/audience.yaml", root),
  CONFIG(["contacts.csv", "orders.csv"]),
);
console.log("wrote fixtures/shopify/ and fixtures/shopify/canonical/");
