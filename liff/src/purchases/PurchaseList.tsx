import type { Lang, Order, Purchases } from '../api.ts';
import { carrierLabel, t } from '../i18n.ts';
import { appUrl } from '../shell.tsx';

const locale = (lang: Lang) => (lang === 'ja' ? 'ja-JP' : 'en-US');

function money(lang: Lang, amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(locale(lang), { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** Shop dates are Japanese dates: shown in Tokyo time wherever the phone is. */
function day(lang: Lang, iso: string): string {
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00+09:00` : iso);
  return new Intl.DateTimeFormat(locale(lang), {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'Asia/Tokyo',
  }).format(date);
}

export function PurchaseList(props: { purchases: Purchases; lang: Lang; botId: string }) {
  const { purchases, lang, botId } = props;
  if (purchases.orders.length === 0) {
    return (
      <section class="empty" aria-labelledby="empty-title">
        <h2 id="empty-title">{t(lang, 'emptyTitle')}</h2>
        {purchases.linked ? (
          <p>{t(lang, 'emptyLinked')}</p>
        ) : (
          <>
            <p>{t(lang, 'emptyLink')}</p>
            <a class="primary" href={appUrl(botId, 'identity')}>
              {t(lang, 'linkAction')}
            </a>
          </>
        )}
      </section>
    );
  }
  return (
    <>
      <p class="note">{t(lang, 'purchasesNote')}</p>
      <ol class="orders">
        {purchases.orders.map((order) => (
          <OrderCard key={`${order.cart}:${order.id}`} order={order} lang={lang} />
        ))}
      </ol>
    </>
  );
}

function OrderCard({ order, lang }: { order: Order; lang: Lang }) {
  return (
    <li class="order" data-order-id={order.id}>
      <dl>
        <dt>{t(lang, 'orderedAt')}</dt>
        <dd>{day(lang, order.orderedAt)}</dd>
        <dt>{t(lang, 'orderNo')}</dt>
        {/* The id is `<connection>:<the cart's order id>`: the shopper knows the cart's part. */}
        <dd>{order.id.slice(order.id.indexOf(':') + 1)}</dd>
      </dl>
      <ul class="items">
        {order.items.map((item, i) => (
          <li key={i}>
            <span class="item-name">{item.name}</span>
            <span class="item-qty">
              {money(lang, item.unitPrice, order.currency)} × {item.quantity}
            </span>
          </li>
        ))}
      </ul>
      <dl>
        <dt>{t(lang, 'total')}</dt>
        <dd class="total">{money(lang, order.totalAmount, order.currency)}</dd>
        <dt>{t(lang, 'delivery')}</dt>
        <dd class="delivery">
          {order.requestedDeliveryDate ? day(lang, order.requestedDeliveryDate) : '-'}
        </dd>
        {order.carrier && (
          <>
            <dt>{t(lang, 'carrier')}</dt>
            <dd class="carrier">
              {carrierLabel(lang, order.carrier)}
              {order.trackingUrl && (
                <>
                  {' '}
                  <a href={order.trackingUrl} target="_blank" rel="noopener noreferrer">
                    {t(lang, 'track')}
                  </a>
                </>
              )}
            </dd>
          </>
        )}
      </dl>
    </li>
  );
}
