import type { BlockInput } from '../domain/index.js';

/**
 * A fictional breaking story used by `npm run demo`: written for this project, with places
 * and people that do not exist. It exercises every block type, pins, key events, a correction
 * and non-Latin text.
 */
export interface DemoPost {
  minutesAgo: number;
  author: 'Ines Okafor' | 'Tomás Lindqvist' | 'Mei Arakawa';
  blocks: BlockInput[];
  pinned?: boolean;
  keyEvent?: boolean;
}

export const DEMO_BLOG = {
  slug: 'harbour-bridge-closure',
  title: 'Live: Port Meridian harbour bridge closed after cable failure',
  description:
    'Traffic diverted, ferries added and an inspection under way after a support cable on the Meridian harbour bridge snapped during the morning rush.',
};

export const DEMO_BULLETS: { text: string; bold?: string }[] = [
  { bold: 'The bridge is closed', text: ' in both directions until engineers finish an inspection.' },
  { text: 'One of 64 support cables snapped at 07:42; no one was seriously hurt.' },
  { text: 'Extra ferries run every ten minutes from North Quay and the Old Market pier.' },
  { text: 'The city expects to give a reopening estimate at 18:00.' },
];

const p = (html: string): BlockInput => ({ type: 'text', html });

export const DEMO_POSTS: DemoPost[] = [
  {
    minutesAgo: 310,
    author: 'Ines Okafor',
    keyEvent: true,
    blocks: [
      p(
        '<p>Police have closed the Meridian harbour bridge after reports of a <strong>loud bang</strong> and a cable hanging loose over the eastbound lanes.</p>',
      ),
    ],
  },
  {
    minutesAgo: 302,
    author: 'Tomás Lindqvist',
    blocks: [
      p(
        '<p>Drivers on the bridge were stopped and walked back to the south bank by officers. Traffic is backing up along Harbour Road.</p>',
      ),
    ],
  },
  {
    minutesAgo: 295,
    author: 'Ines Okafor',
    blocks: [
      {
        type: 'quote',
        text: 'It sounded like a gunshot, then the whole deck shook for a second or two.',
        attribution: 'Dana Reyes, a cyclist who was on the bridge',
      },
    ],
  },
  {
    minutesAgo: 288,
    author: 'Mei Arakawa',
    blocks: [
      p('<p>Our photographer on North Quay sent this picture of the loose cable.</p>'),
      {
        type: 'image',
        url: 'https://images.example.org/meridian/cable-0742.jpg',
        alt: 'A steel cable hanging from the top of a bridge tower above empty lanes',
        caption: 'The snapped cable above the eastbound lanes',
        credit: 'Mei Arakawa',
      },
    ],
  },
  {
    minutesAgo: 280,
    author: 'Tomás Lindqvist',
    keyEvent: true,
    blocks: [
      p(
        '<p>The city transport office confirms <em>one of the 64 stay cables</em> failed at 07:42. Both directions are closed.</p>',
      ),
    ],
  },
  {
    minutesAgo: 271,
    author: 'Ines Okafor',
    blocks: [
      {
        type: 'embed',
        url: 'https://twitter.com/MeridianTransit/status/1790000000000000001',
        title: 'Meridian Transit',
        text: 'Harbour bridge closed both ways. Use ferries or the Eastern tunnel. Updates to follow.',
      },
    ],
  },
  {
    minutesAgo: 260,
    author: 'Mei Arakawa',
    blocks: [
      p(
        '<p>Three people were checked by paramedics at the scene. None needed hospital treatment, the ambulance service says.</p>',
      ),
    ],
  },
  {
    minutesAgo: 248,
    author: 'Tomás Lindqvist',
    blocks: [
      p(
        '<p>Diversions:</p><ul><li>Eastern tunnel: open, heavy traffic</li><li>Ring road north: open</li><li>Harbour Road: local access only</li></ul>',
      ),
    ],
  },
  {
    minutesAgo: 236,
    author: 'Ines Okafor',
    blocks: [
      p(
        "<p>Many of the bridge's daily commuters are tourists and students. The city has posted guidance in several languages:</p>",
      ),
      {
        type: 'quote',
        text: '港のメリディアン橋は通行止めです。フェリーをご利用ください。',
        attribution: 'City of Port Meridian, Japanese notice',
      },
      {
        type: 'quote',
        text: 'جسر الميناء مغلق في الاتجاهين. يرجى استخدام العبّارات.',
        attribution: 'City of Port Meridian, Arabic notice',
      },
    ],
  },
  {
    minutesAgo: 224,
    author: 'Mei Arakawa',
    blocks: [
      {
        type: 'embed',
        url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        title: 'Drone footage of the closed bridge',
        text: "Footage from the city's drone team shortly after the closure.",
      },
    ],
  },
  {
    minutesAgo: 210,
    author: 'Tomás Lindqvist',
    keyEvent: true,
    blocks: [
      p(
        '<p>Ferry operator Bluewater says it will run <strong>extra crossings every ten minutes</strong> from North Quay and the Old Market pier, free of charge until the bridge reopens.</p>',
      ),
    ],
  },
  {
    minutesAgo: 198,
    author: 'Ines Okafor',
    blocks: [
      p('<p>The queue at North Quay pier stretches around the fish market. Staff are handing out water.</p>'),
      {
        type: 'image',
        url: 'https://images.example.org/meridian/ferry-queue.jpg',
        alt: 'A long queue of commuters on a pier beside a ferry',
        credit: 'Ines Okafor',
      },
    ],
  },
  {
    minutesAgo: 185,
    author: 'Mei Arakawa',
    blocks: [
      {
        type: 'quote',
        text: 'The other 63 cables are carrying the load as designed. The deck is not at risk of collapse, but we will not reopen it until every anchor has been checked.',
        attribution: "Hana Kowalczyk, the city's chief bridge engineer",
      },
    ],
  },
  {
    minutesAgo: 170,
    author: 'Tomás Lindqvist',
    blocks: [
      p(
        '<p><strong>Correction:</strong> an earlier post said the cable failed at 07:24. The transport office has confirmed the time was <em>07:42</em>. We have corrected that post.</p>',
      ),
    ],
  },
  {
    minutesAgo: 158,
    author: 'Ines Okafor',
    blocks: [
      { type: 'embed', url: 'https://www.instagram.com/p/C0meridian01/', title: "A commuter's view from the ferry" },
    ],
  },
  {
    minutesAgo: 144,
    author: 'Mei Arakawa',
    blocks: [
      p(
        '<p>Schools on the north bank will stay open, the education office says; pupils who cannot get there will not be marked absent.</p>',
      ),
    ],
  },
  {
    minutesAgo: 131,
    author: 'Tomás Lindqvist',
    blocks: [
      p(
        '<p>Inspection teams in harnesses are now on the south tower. The inspection is expected to take the rest of the day.</p>',
      ),
    ],
  },
  {
    minutesAgo: 117,
    author: 'Ines Okafor',
    blocks: [
      {
        type: 'embed',
        url: 'https://www.facebook.com/MeridianCity/posts/1234567890',
        title: 'City of Port Meridian',
        text: 'Statement from the mayor on the bridge closure.',
      },
    ],
  },
  {
    minutesAgo: 104,
    author: 'Mei Arakawa',
    blocks: [
      p(
        '<p>Απόδραση: Greek-speaking visitors can call the tourist line at <a href="https://visit.example.org/el">visit.example.org/el</a> for help with bookings. 🚢</p>',
      ),
    ],
  },
  {
    minutesAgo: 90,
    author: 'Tomás Lindqvist',
    keyEvent: true,
    blocks: [
      p(
        '<p>The mayor says the city will give a <strong>reopening estimate at 18:00</strong>, after the first round of inspections.</p>',
      ),
    ],
  },
  {
    minutesAgo: 74,
    author: 'Ines Okafor',
    blocks: [
      {
        type: 'quote',
        text: 'I have crossed that bridge twice a day for twenty years. Today I took a boat to work for the first time.',
        attribution: 'Samir Haddad, pharmacist',
      },
    ],
  },
  {
    minutesAgo: 60,
    author: 'Mei Arakawa',
    blocks: [
      p(
        '<p>Business owners near the south ramp say footfall is down by half. The chamber of commerce is asking the city for a parking waiver on Harbour Road.</p>',
      ),
    ],
  },
  {
    minutesAgo: 41,
    author: 'Tomás Lindqvist',
    blocks: [
      {
        type: 'embed',
        url: 'https://example.org/meridian/bridge-faq',
        title: 'Harbour bridge closure: your questions answered',
        text: 'What we know about the cable, the diversions and the ferries.',
      },
    ],
  },
  {
    minutesAgo: 22,
    author: 'Ines Okafor',
    blocks: [
      p(
        '<p>Engineers have finished the south tower. They move to the north tower next, the transport office says.</p>',
      ),
    ],
  },
  {
    minutesAgo: 5,
    author: 'Mei Arakawa',
    pinned: true,
    blocks: [
      p(
        '<p><strong>What you need to know:</strong> the bridge is closed both ways. Use the free ferries from North Quay or Old Market pier, or the Eastern tunnel. Next update from the city at 18:00.</p>',
      ),
    ],
  },
];
